#include "learn/ShippedHistories.h"

#include <algorithm>
#include <filesystem>

namespace attnscope {

namespace fs = std::filesystem;

std::string shippedHistoryDirectory()
{
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        const fs::path installed = exe.parent_path().parent_path() / "share" / "attnscope" / "models" / "learn";
        if (fs::is_directory(installed, ec)) return installed.string();
    }
    const fs::path source = fs::path(ATTNSCOPE_SOURCE_DIR) / "models" / "learn";
    if (fs::is_directory(source, ec)) return source.string();
    return "";
}

std::vector<std::string> shippedHistoryNames()
{
    static const std::vector<std::string> order = {"transformer", "las-dot", "las-scaled-dot", "las-additive", "las-location"};
    const std::string dir = shippedHistoryDirectory();
    std::vector<std::string> names;
    std::error_code ec;
    if (dir.empty()) return names;
    for (const auto& entry : fs::directory_iterator(dir, ec))
        if (entry.path().extension() == ".cbor") names.push_back(entry.path().stem().string());
    auto rank = [&](const std::string& n) { return std::find(order.begin(), order.end(), n) - order.begin(); };
    std::sort(names.begin(), names.end(), [&](const std::string& a, const std::string& b) {
        return rank(a) != rank(b) ? rank(a) < rank(b) : a < b;
    });
    return names;
}

std::string resolveHistoryPath(const std::string& nameOrPath)
{
    std::error_code ec;
    if (fs::exists(nameOrPath, ec)) return nameOrPath;
    const std::string dir = shippedHistoryDirectory();
    if (!dir.empty() && nameOrPath.find('/') == std::string::npos) {
        const fs::path shipped = fs::path(dir) / (nameOrPath + ".cbor");
        if (fs::exists(shipped, ec)) return shipped.string();
    }
    return nameOrPath;
}

}  // namespace attnscope
