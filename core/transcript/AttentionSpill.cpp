#include "transcript/AttentionSpill.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <vector>

namespace attnscope {

class AttentionSpill::File {
public:
    explicit File(const std::string& directory)
    {
#ifdef O_TMPFILE
        fd_ = ::open(directory.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
#endif
        if (fd_ < 0) {  // file systems without O_TMPFILE: create, then unlink at once
            std::string name = directory + "/attnscope-attention-XXXXXX";
            fd_ = ::mkostemp(name.data(), O_CLOEXEC);
            if (fd_ >= 0)
                ::unlink(name.c_str());
        }
    }
    ~File()
    {
        if (fd_ >= 0)
            ::close(fd_);
    }
    bool ok() const { return fd_ >= 0; }

    // Converts `count` floats to float16 a piece at a time (no window-sized buffer), writes them at the
    // next page boundary and maps them read-only; empty if the disk refuses.
    HalfArray append(const std::shared_ptr<File>& self, const float* values, size_t count)
    {
        static const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
        const size_t bytes = count * sizeof(qfloat16);
        const off_t offset = static_cast<off_t>((end_ + page - 1) / page * page);
        std::vector<qfloat16> piece(std::min<size_t>(count, 1 << 18));
        for (size_t first = 0; first < count; first += piece.size()) {
            const size_t n = std::min(piece.size(), count - first);
            qFloatToFloat16(piece.data(), values + first, static_cast<qsizetype>(n));  // F16C where the CPU has it
            if (!writeAll(piece.data(), n * sizeof(qfloat16), offset + static_cast<off_t>(first * sizeof(qfloat16)))) {
                // ENOSPC, EIO, a quota: give the space back and let the caller keep it in memory
                [[maybe_unused]] const int ignored = ::ftruncate(fd_, static_cast<off_t>(end_));
                return {};
            }
        }
        void* address = ::mmap(nullptr, bytes, PROT_READ, MAP_SHARED, fd_, offset);
        if (address == MAP_FAILED)
            return {};
        end_ = static_cast<size_t>(offset) + bytes;
        // The mapping keeps the file open; the file outlives the spill object while windows use it.
        auto mapping = std::shared_ptr<const void>(address, [self, bytes](const void* a) { ::munmap(const_cast<void*>(a), bytes); });
        return HalfArray(std::move(mapping), static_cast<const qfloat16*>(address), count, /*spilled=*/true);
    }

private:
    bool writeAll(const void* data, size_t bytes, off_t at)
    {
        const char* p = static_cast<const char*>(data);
        for (size_t done = 0; done < bytes;) {
            const ssize_t n = ::pwrite(fd_, p + done, bytes - done, at + static_cast<off_t>(done));
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                return false;
            done += static_cast<size_t>(n);
        }
        return true;
    }

    int fd_ = -1;
    size_t end_ = 0;
};

AttentionSpill::AttentionSpill(AttentionSpillOptions options) : options_(std::move(options)) {}

AttentionSpill::~AttentionSpill() = default;

HalfArray AttentionSpill::store(const float* data, size_t count)
{
    const size_t bytes = count * sizeof(qfloat16);
    if (inMemory_ + bytes > options_.memoryBudgetBytes && !fileFailed_ && count > 0) {
        if (!file_) {
            std::error_code ec;
            const std::string dir = options_.directory.empty() ? std::filesystem::temp_directory_path(ec).string()
                                                               : options_.directory;
            file_ = std::make_shared<File>(dir.empty() ? "/tmp" : dir);
            fileFailed_ = !file_->ok();
        }
        if (!fileFailed_) {
            HalfArray spilled = file_->append(file_, data, count);
            if (!spilled.empty()) {
                spilled_ += bytes;
                return spilled;
            }
            fileFailed_ = true;  // the disk is full or refuses: keep this and later windows in memory
        }
    }
    std::vector<qfloat16> halves(count);
    qFloatToFloat16(halves.data(), data, static_cast<qsizetype>(count));  // F16C where the CPU has it
    inMemory_ += bytes;
    return HalfArray(std::move(halves));
}

}  // namespace attnscope
