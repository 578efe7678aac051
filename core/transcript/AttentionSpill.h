#pragma once
// Where a transcription keeps its attention weights: in memory up to a budget, then in an unnamed
// temporary file mapped read-only. An hour of audio keeps every weight of every window, which in
// memory would outgrow a laptop; mapped file pages cost memory only while something reads them, and
// the kernel may drop them again. The file has no name (O_TMPFILE, or unlinked at once), so nothing
// is left behind, even after a crash. A full disk does not lose anything: the window stays in memory.
#include "transcript/HalfArray.h"

#include <cstddef>
#include <memory>
#include <string>

namespace attnscope {

struct AttentionSpillOptions {
    size_t memoryBudgetBytes = 256u << 20;  // weights kept in memory before windows go to the file
    std::string directory;                  // "" = the system's temporary directory ($TMPDIR, /tmp)
};

class AttentionSpill {
public:
    explicit AttentionSpill(AttentionSpillOptions options = {});
    ~AttentionSpill();
    AttentionSpill(const AttentionSpill&) = delete;
    AttentionSpill& operator=(const AttentionSpill&) = delete;

    // Converts `count` float weights to float16 and keeps them: in memory while the budget lasts,
    // then in the spill file.
    HalfArray store(const float* data, size_t count);

    size_t bytesInMemory() const { return inMemory_; }
    size_t bytesSpilled() const { return spilled_; }

private:
    class File;
    AttentionSpillOptions options_;
    std::shared_ptr<File> file_;
    bool fileFailed_ = false;
    size_t inMemory_ = 0;
    size_t spilled_ = 0;
};

}  // namespace attnscope
