#include "model/builtin/ModelFileRecords.h"

#include "base/Error.h"
#include "model/builtin/TorchArchiveCheck.h"

#include <filesystem>

namespace attnscope {

void replaceModelFileRecords(const std::string& path, const std::string& metaKey, const nlohmann::json& metaValue,
                             const std::string& recordPrefix,
                             const std::vector<std::pair<std::string, torch::Tensor>>& records)
{
    checkTorchArchive(path);
    const std::string temporary = path + ".writing";
    try {
        torch::serialize::InputArchive in;
        in.load_from(path);
        torch::serialize::OutputArchive out;
        c10::IValue metaIn;
        in.read("meta", metaIn);
        if (!metaIn.isString()) throw Error(ErrorKind::Model, path + ": not an AttnScope built-in model");
        auto meta = nlohmann::json::parse(metaIn.toStringRef());
        if (metaValue.is_null())
            meta.erase(metaKey);
        else
            meta[metaKey] = metaValue;
        out.write("meta", c10::IValue(meta.dump()));
        // Everything else is a tensor record (LibTorch lists them among the archive's keys): copy it as it is.
        for (const auto& k : in.keys()) {
            if (k == "meta" || k.rfind(recordPrefix, 0) == 0) continue;
            torch::Tensor t;
            in.read(k, t, /*is_buffer=*/true);
            out.write(k, t, /*is_buffer=*/true);
        }
        for (const auto& [name, tensor] : records) out.write(name, tensor, /*is_buffer=*/true);
        out.save_to(temporary);
    } catch (const Error&) {
        std::filesystem::remove(temporary);
        throw;
    } catch (const c10::Error& e) {
        std::filesystem::remove(temporary);
        throw Error(ErrorKind::Model, path + ": cannot rewrite the model file (" +
                                          std::string(e.what_without_backtrace()).substr(0, 160) + ")");
    } catch (const nlohmann::json::exception& e) {
        std::filesystem::remove(temporary);
        throw Error(ErrorKind::Model, path + ": bad model metadata (" + e.what() + ")");
    } catch (const std::exception& e) {
        std::filesystem::remove(temporary);
        throw Error(ErrorKind::Io, path + ": cannot rewrite the model file (" + std::string(e.what()).substr(0, 160) + ")");
    }
    std::error_code ec;
    std::filesystem::rename(temporary, path, ec);
    if (ec) {
        std::filesystem::remove(temporary);
        throw Error(ErrorKind::Io, path + ": cannot replace the model file (" + ec.message() + ")");
    }
}

bool readModelFileRecords(const std::string& path, const std::string& metaKey, const std::string& part,
                          const std::function<void(torch::serialize::InputArchive&, const nlohmann::json&)>& read)
{
    checkTorchArchive(path);
    try {
        torch::serialize::InputArchive archive;
        archive.load_from(path);
        c10::IValue metaValue;
        archive.read("meta", metaValue);
        if (!metaValue.isString()) throw Error(ErrorKind::Model, "no metadata");
        const auto meta = nlohmann::json::parse(metaValue.toStringRef());
        if (!meta.contains(metaKey)) return false;
        read(archive, meta.at(metaKey));
        return true;
    } catch (const Error& e) {
        throw Error(ErrorKind::Model, path + ": " + part + ": " + e.what());
    } catch (const nlohmann::json::exception& e) {
        throw Error(ErrorKind::Model, path + ": bad " + part + " metadata (" + e.what() + ")");
    } catch (const c10::Error& e) {
        throw Error(ErrorKind::Model, path + ": unreadable " + part + " (" +
                                          std::string(e.what_without_backtrace()).substr(0, 160) + ")");
    } catch (const std::exception& e) {
        throw Error(ErrorKind::Model, path + ": unreadable " + part + " (" + std::string(e.what()).substr(0, 160) + ")");
    }
}

}  // namespace attnscope
