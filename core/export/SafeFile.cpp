#include "export/SafeFile.h"

#include "base/Error.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>

namespace attnscope {

void writeFileSafely(const std::string& path, const std::function<void(std::ostream&)>& write)
{
    namespace fs = std::filesystem;
    if (path == "-") {
        write(std::cout);
        std::cout.flush();
        if (!std::cout)
            throw Error(ErrorKind::Io, "cannot write to standard output");
        return;
    }
    std::error_code ec;
    const auto status = fs::status(path, ec);
    const bool special = !ec && fs::exists(status) && !fs::is_regular_file(status);
    if (fs::is_directory(status))
        throw Error(ErrorKind::Io, "cannot write '" + path + "': is a directory");
    const std::string target = special ? path : path + ".part";
    {
        std::ofstream out(target, std::ios::binary | std::ios::trunc);
        if (!out)
            throw Error(ErrorKind::Io, "cannot write '" + path + "': " + std::strerror(errno));
        write(out);
        out.flush();
        const bool failed = !out;
        out.close();
        if (failed || out.fail()) {
            if (!special)
                std::remove(target.c_str());
            throw Error(ErrorKind::Io, "cannot write '" + path + "': the disk may be full");
        }
    }
    if (!special) {
        fs::rename(target, path, ec);
        if (ec) {
            std::remove(target.c_str());
            throw Error(ErrorKind::Io, "cannot write '" + path + "': " + ec.message());
        }
    }
}

}  // namespace attnscope
