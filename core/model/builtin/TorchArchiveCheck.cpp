#include "model/builtin/TorchArchiveCheck.h"

#include "base/Error.h"

#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <vector>

namespace attnscope {

namespace {

// A pickle or a deflated code file larger than this is not something AttnScope writes.
constexpr uint64_t kMaxInflatedEntry = 256ull << 20;
// Deflate cannot compress better than about 1032:1; a larger declared size is a lie.
constexpr uint64_t kMaxDeflateRatio = 1032;

class ArchiveReader {
public:
    explicit ArchiveReader(const std::string& path) : path_(path), in_(path, std::ios::binary)
    {
        if (!in_) fail("cannot be opened");
        size_ = std::filesystem::file_size(path);
    }

    uint64_t size() const { return size_; }

    std::vector<unsigned char> read(uint64_t offset, uint64_t count)
    {
        if (offset > size_ || count > size_ - offset) fail("a zip record points past the end of the file");
        std::vector<unsigned char> bytes(count);
        in_.clear();
        in_.seekg(static_cast<std::streamoff>(offset));
        if (count > 0 && !in_.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(count)))
            fail("could not be read");
        return bytes;
    }

    // Feeds `count` bytes starting at `offset` to `sink` in pieces, without holding them all.
    void stream(uint64_t offset, uint64_t count, const std::function<void(const unsigned char*, size_t)>& sink)
    {
        constexpr uint64_t kPiece = 1 << 20;
        for (uint64_t done = 0; done < count;) {
            const uint64_t n = std::min(kPiece, count - done);
            const auto piece = read(offset + done, n);
            sink(piece.data(), piece.size());
            done += n;
        }
    }

    [[noreturn]] void fail(const std::string& why) const
    {
        throw Error(ErrorKind::Model, path_ + ": not a readable AttnScope built-in model (" + why + ")");
    }

private:
    std::string path_;
    std::ifstream in_;
    uint64_t size_ = 0;
};

uint64_t le(const unsigned char* p, int bytes)
{
    uint64_t v = 0;
    for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | p[i];
    return v;
}

struct ZipEntry {
    std::string name;
    uint32_t flags = 0, method = 0, crc = 0;
    uint64_t compressedSize = 0, size = 0, localHeader = 0;
};

// Walks a pickle's opcodes (protocols 0-5) and checks that every declared length fits in the bytes
// that follow and every memo index is one the pickle could have written. Executes nothing.
void checkPickle(const ArchiveReader& archive, const std::string& name, const std::vector<unsigned char>& bytes,
                 std::vector<std::string>& strings)
{
    const unsigned char* p = bytes.data();
    const uint64_t n = bytes.size();
    uint64_t i = 0, memo = 0;
    auto fail = [&](const std::string& why) { archive.fail(name + ": " + why); };
    auto need = [&](uint64_t k) {
        if (n - i < k) fail("a pickle opcode declares " + std::to_string(k) + " bytes where " + std::to_string(n - i) + " remain");
    };
    auto fixed = [&](int k) { need(k); const uint64_t v = le(p + i, k); i += k; return v; };
    auto skip = [&](uint64_t k) { need(k); i += k; };
    auto line = [&]() {
        const auto* end = static_cast<const unsigned char*>(std::memchr(p + i, '\n', n - i));
        if (!end) fail("a pickle text argument has no end");
        std::string text(reinterpret_cast<const char*>(p + i), end - (p + i));
        i = (end - p) + 1;
        return text;
    };
    auto put = [&](uint64_t id) {
        if (id > memo) fail("a pickle memo index " + std::to_string(id) + " skips ahead of " + std::to_string(memo));
        memo = std::max(memo, id + 1);
    };
    auto get = [&](uint64_t id) { if (id >= memo) fail("a pickle reads memo " + std::to_string(id) + " it never wrote"); };
    auto number = [&](const std::string& text) {
        if (text.empty() || text.size() > 18 || !std::all_of(text.begin(), text.end(), ::isdigit))
            fail("a pickle memo index is not a number");
        return std::stoull(text);
    };
    while (i < n) {
        const unsigned char op = p[i++];
        switch (op) {
        case '.': return;  // STOP
        // no argument
        case '(': case '0': case '1': case '2': case 'N': case 'Q': case 'R': case 'a': case 'b': case 'd':
        case '}': case 'e': case 'l': case ']': case 'o': case 's': case 't': case ')': case 'u':
        case 0x81: case 0x85: case 0x86: case 0x87: case 0x88: case 0x89: case 0x8f: case 0x90: case 0x91:
        case 0x92: case 0x93: case 0x97: case 0x98:
            break;
        case 0x94: ++memo; break;                                   // MEMOIZE
        case 'K': case 0x80: case 0x82: skip(1); break;             // BININT1, PROTO, EXT1
        case 'M': case 0x83: skip(2); break;                        // BININT2, EXT2
        case 'J': case 0x84: skip(4); break;                        // BININT, EXT4
        case 'G': skip(8); break;                                   // BINFLOAT
        case 0x95: need(8); if (le(p + i, 8) > n - i - 8) fail("a pickle frame is longer than the pickle"); i += 8; break;
        case 'q': put(fixed(1)); break;                             // BINPUT
        case 'r': put(fixed(4)); break;                             // LONG_BINPUT
        case 'h': get(fixed(1)); break;                             // BINGET
        case 'j': get(fixed(4)); break;                             // LONG_BINGET
        case 'p': put(number(line())); break;                       // PUT
        case 'g': get(number(line())); break;                       // GET
        case 0x8a: case 'U': case 0x8c: case 'C': skip(fixed(1)); break;   // LONG1, SHORT_BIN{STRING,UNICODE,BYTES}
        case 'X': {                                                 // BINUNICODE: kept
            const uint64_t k = fixed(4);
            need(k);
            strings.emplace_back(reinterpret_cast<const char*>(p + i), k);
            i += k;
            break;
        }
        case 'T': case 'B': case 0x8b: skip(fixed(4)); break;       // BINSTRING, BINBYTES, LONG4
        case 0x8d: case 0x8e: case 0x96: skip(fixed(8)); break;            // BINUNICODE8, BINBYTES8, BYTEARRAY8
        case 'I': case 'L': case 'S': case 'V': case 'F': case 'P': line(); break;
        case 'c': case 'i': line(); line(); break;                  // GLOBAL, INST
        default:
            fail("unknown pickle opcode " + std::to_string(op));
        }
    }
    fail("a pickle ends without its STOP opcode");
}

std::vector<ZipEntry> centralDirectory(ArchiveReader& archive)
{
    const uint64_t size = archive.size();
    if (size < 22) archive.fail("too short to be a zip archive");
    // The end-of-central-directory record sits in the last 22 + 65535 bytes (it may carry a comment).
    const uint64_t tailStart = size > 22 + 65535 ? size - 22 - 65535 : 0;
    const auto tail = archive.read(tailStart, size - tailStart);
    int64_t at = -1;
    for (int64_t k = static_cast<int64_t>(tail.size()) - 22; k >= 0; --k)
        if (le(&tail[k], 4) == 0x06054b50) { at = k; break; }
    if (at < 0) archive.fail("no zip directory");
    const unsigned char* eocd = &tail[at];
    const uint64_t eocdOffset = tailStart + at;
    uint64_t count = le(eocd + 10, 2), cdSize = le(eocd + 12, 4), cdOffset = le(eocd + 16, 4);
    uint64_t directoryEnd = eocdOffset;
    if (count == 0xFFFF || cdSize == 0xFFFFFFFF || cdOffset == 0xFFFFFFFF) {
        if (eocdOffset < 20) archive.fail("a damaged zip64 directory");
        const auto locator = archive.read(eocdOffset - 20, 20);
        if (le(locator.data(), 4) != 0x07064b50) archive.fail("a damaged zip64 directory");
        directoryEnd = le(locator.data() + 8, 8);
        const auto record = archive.read(directoryEnd, 56);
        if (le(record.data(), 4) != 0x06064b50) archive.fail("a damaged zip64 directory");
        count = le(record.data() + 32, 8);
        cdSize = le(record.data() + 40, 8);
        cdOffset = le(record.data() + 48, 8);
    }
    if (cdOffset > directoryEnd || cdSize > directoryEnd - cdOffset) archive.fail("the zip directory lies outside the file");
    if (count == 0 || count > cdSize / 46) archive.fail("the zip directory's entry count does not fit it");

    const auto cd = archive.read(cdOffset, cdSize);
    std::vector<ZipEntry> entries;
    uint64_t k = 0;
    for (uint64_t e = 0; e < count; ++e) {
        if (cdSize - k < 46 || le(&cd[k], 4) != 0x02014b50) archive.fail("a damaged zip directory entry");
        const unsigned char* h = &cd[k];
        ZipEntry entry;
        entry.flags = static_cast<uint32_t>(le(h + 8, 2));
        entry.method = static_cast<uint32_t>(le(h + 10, 2));
        entry.crc = static_cast<uint32_t>(le(h + 16, 4));
        entry.compressedSize = le(h + 20, 4);
        entry.size = le(h + 24, 4);
        const uint64_t nameLength = le(h + 28, 2), extraLength = le(h + 30, 2), commentLength = le(h + 32, 2);
        entry.localHeader = le(h + 42, 4);
        if (cdSize - k - 46 < nameLength + extraLength + commentLength) archive.fail("a damaged zip directory entry");
        entry.name.assign(reinterpret_cast<const char*>(h + 46), nameLength);
        // Sizes and offsets that do not fit 32 bits live in the zip64 extra field, in this order.
        for (uint64_t x = 0; x + 4 <= extraLength;) {
            const unsigned char* field = h + 46 + nameLength + x;
            const uint64_t id = le(field, 2), length = le(field + 2, 2);
            if (x + 4 + length > extraLength) archive.fail("a damaged zip extra field");
            if (id == 0x0001) {
                uint64_t f = 0;
                auto next = [&](uint64_t& value) {
                    if (value != 0xFFFFFFFF) return;
                    if (f + 8 > length) archive.fail("a damaged zip64 extra field");
                    value = le(field + 4 + f, 8);
                    f += 8;
                };
                next(entry.size);
                next(entry.compressedSize);
                next(entry.localHeader);
            }
            x += 4 + length;
        }
        if (entry.name.empty()) archive.fail("a zip entry without a name");
        if (entry.flags & 1) archive.fail(entry.name + " is encrypted");
        if (entry.method != 0 && entry.method != 8) archive.fail(entry.name + " uses an unknown compression");
        k += 46 + nameLength + extraLength + commentLength;
        entries.push_back(std::move(entry));
    }
    // Every entry's data must end before the directory starts.
    for (auto& entry : entries) {
        if (entry.localHeader > cdOffset || cdOffset - entry.localHeader < 30) archive.fail(entry.name + " lies outside the file");
        const auto local = archive.read(entry.localHeader, 30);
        if (le(local.data(), 4) != 0x04034b50) archive.fail(entry.name + " has a damaged header");
        const uint64_t dataStart = entry.localHeader + 30 + le(local.data() + 26, 2) + le(local.data() + 28, 2);
        if (dataStart > cdOffset || entry.compressedSize > cdOffset - dataStart) archive.fail(entry.name + " lies outside the file");
        entry.localHeader = dataStart;  // from here on: where the data starts
    }
    return entries;
}

bool isPickle(const std::string& name)
{
    return name.size() >= 3 && name.compare(name.size() - 3, 3, "pkl") == 0;
}

}  // namespace

std::vector<std::string> checkTorchArchive(const std::string& path)
{
    std::vector<std::string> strings;
    ArchiveReader archive(path);
    for (const auto& entry : centralDirectory(archive)) {
        const bool pickle = isPickle(entry.name);
        if (entry.method == 0 && entry.size != entry.compressedSize) archive.fail(entry.name + " has inconsistent sizes");
        if (entry.method == 8 && (entry.size > kMaxInflatedEntry || entry.size > kMaxDeflateRatio * entry.compressedSize + 64))
            archive.fail(entry.name + " declares more data than its compressed bytes can hold");
        if (pickle && entry.size > kMaxInflatedEntry) archive.fail(entry.name + " is too large for a model's pickle");

        uLong crc = crc32(0L, Z_NULL, 0);
        uint64_t produced = 0;
        std::vector<unsigned char> kept;
        auto take = [&](const unsigned char* data, size_t count) {
            if (count > entry.size - produced) archive.fail(entry.name + " holds more data than it declares");
            crc = crc32(crc, data, static_cast<uInt>(count));
            produced += count;
            if (pickle) kept.insert(kept.end(), data, data + count);
        };
        if (entry.method == 0) {
            archive.stream(entry.localHeader, entry.compressedSize, take);
        } else {
            z_stream z{};
            if (inflateInit2(&z, -MAX_WBITS) != Z_OK) archive.fail("zlib could not start");
            std::vector<unsigned char> out(256 << 10);
            int status = Z_OK;
            try {
                archive.stream(entry.localHeader, entry.compressedSize, [&](const unsigned char* data, size_t count) {
                    z.next_in = const_cast<unsigned char*>(data);
                    z.avail_in = static_cast<uInt>(count);
                    while (z.avail_in > 0 && status != Z_STREAM_END) {
                        z.next_out = out.data();
                        z.avail_out = static_cast<uInt>(out.size());
                        status = inflate(&z, Z_NO_FLUSH);
                        if (status != Z_OK && status != Z_STREAM_END && status != Z_BUF_ERROR)
                            archive.fail(entry.name + " holds damaged compressed data");
                        const size_t got = out.size() - z.avail_out;
                        take(out.data(), got);
                        if (status == Z_BUF_ERROR && got == 0) break;  // no progress: the drain below decides
                    }
                });
                // Drain what inflate still holds once all input is in; no progress means truncated.
                while (status != Z_STREAM_END) {
                    z.next_out = out.data();
                    z.avail_out = static_cast<uInt>(out.size());
                    status = inflate(&z, Z_FINISH);
                    if (status != Z_OK && status != Z_STREAM_END && status != Z_BUF_ERROR)
                        archive.fail(entry.name + " holds damaged compressed data");
                    const size_t got = out.size() - z.avail_out;
                    take(out.data(), got);
                    if (status != Z_STREAM_END && got == 0) archive.fail(entry.name + " holds truncated compressed data");
                }
            } catch (...) {
                inflateEnd(&z);
                throw;
            }
            inflateEnd(&z);
        }
        if (produced != entry.size) archive.fail(entry.name + " holds less data than it declares");
        if (crc != entry.crc) archive.fail(entry.name + " fails its CRC-32 check");
        if (pickle) checkPickle(archive, entry.name, kept, strings);
    }
    return strings;
}

}  // namespace attnscope
