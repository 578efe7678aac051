// The built-in model's file: it round-trips at half precision, the factory recognises it, and damaged,
// hostile or over-declared files are refused with a model error before LibTorch allocates anything.
#include "base/Error.h"
#include "loading/RecognizerFactory.h"
#include "model/builtin/BuiltinModel.h"
#include "model/builtin/BuiltinRecognizer.h"
#include "support/SmallBuiltinModel.h"

#include <QTemporaryDir>
#include <QtTest>

#include <fstream>
#include <functional>
#include <iterator>

#include <sys/resource.h>
#include <zlib.h>

using namespace attnscope;

namespace {

// A seeded random model with two decoder layers and alignment head 1:0.
std::string writeRandomModel(const QString& dir)
{
    const std::string path = (dir + "/random.pt").toStdString();
    test::saveSmallBuiltinModel(path, test::smallBuiltinHParams(32, 2, 64), 3, {{"alignment_heads", {{1, 0}}}});
    return path;
}

std::string readBytes(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// Writes `content` to `path` and loads it as a built-in model: the message of the Error(Model) that
// must follow, or a line saying what happened instead.
std::string modelError(const std::string& path, const std::string& content)
{
    std::ofstream(path, std::ios::binary) << content;
    try {
        BuiltinRecognizer recognizer(path);
        return "no error";
    } catch (const Error& e) {
        return e.kind() == ErrorKind::Model ? e.what() : "an error of another kind";  // without its message, which may name the path
    }
}

uint32_t le32(const std::string& s, size_t at)
{
    uint32_t v = 0;
    for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(s[at + i]);
    return v;
}
uint16_t le16(const std::string& s, size_t at)
{
    return static_cast<uint16_t>(static_cast<unsigned char>(s[at]) | static_cast<unsigned char>(s[at + 1]) << 8);
}

// Changes the stored zip entry whose name ends with `suffix` in place (same length) and, when asked,
// gives it a matching CRC-32: a hand-crafted hostile file rather than a random corruption.
std::string patchedArchive(std::string zip, const std::string& suffix, const std::function<void(char*, size_t)>& patch,
                           bool fixCrc)
{
    const size_t eocd = zip.rfind(std::string("PK\x05\x06", 4));
    size_t at = le32(zip, eocd + 16);
    for (int e = 0; e < le16(zip, eocd + 10); ++e) {
        const size_t nameLength = le16(zip, at + 28);
        const std::string name = zip.substr(at + 46, nameLength);
        if (name.size() >= suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
            const size_t local = le32(zip, at + 42);
            const size_t data = local + 30 + le16(zip, local + 26) + le16(zip, local + 28);
            const size_t size = le32(zip, at + 20);  // the stored bytes (compressed ones if deflated)
            patch(&zip[data], size);
            if (fixCrc) {
                const uint32_t crc = static_cast<uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(&zip[data]), static_cast<uInt>(size)));
                for (int i = 0; i < 4; ++i) zip[local + 14 + i] = zip[at + 16 + i] = static_cast<char>(crc >> (8 * i));
            }
            return zip;
        }
        at += 46 + nameLength + le16(zip, at + 30) + le16(zip, at + 32);
    }
    qFatal("no entry %s", suffix.c_str());
}

}  // namespace

class TestBuiltinModelFile : public QObject {
    Q_OBJECT
private slots:
    void roundTripKeepsWeightsAtHalfPrecision()
    {
        QTemporaryDir dir;
        const auto path = writeRandomModel(dir.path());
        torch::manual_seed(3);  // the seed writeRandomModel drew the weights from
        BuiltinModel original(test::smallBuiltinHParams(32, 2, 64));
        const auto loaded = loadBuiltinModel(path);
        QCOMPARE(loaded.model->hp.dModel, 32);
        QCOMPARE(loaded.meta["alignment_heads"][0][0].get<int>(), 1);
        const auto a = original->named_parameters(), b = loaded.model->named_parameters();
        QCOMPARE(a.size(), b.size());
        for (const auto& p : a) {
            const auto diff = (p.value() - b[p.key()]).abs().max().item<double>();
            QVERIFY2(diff <= 1e-3 * std::max(1.0, p.value().abs().max().item<double>()), p.key().c_str());
        }
    }

    void malformedFilesGiveModelErrors()
    {
        QTemporaryDir dir;
        const auto good = writeRandomModel(dir.path());
        const std::string bytes = readBytes(good);
        const std::vector<std::pair<std::string, std::string>> cases = {
            {"empty.pt", ""},
            {"truncated.pt", bytes.substr(0, bytes.size() / 2)},
            {"text.pt", "PK this is not a zip archive at all"},
            {"garbage.pt", std::string(4096, '\x7f')},
        };
        for (const auto& [name, content] : cases) {
            const std::string path = (dir.path() + "/" + QString::fromStdString(name)).toStdString();
            const std::string error = modelError(path, content);
            QVERIFY2(error.find(path) != std::string::npos, (name + ": " + error).c_str());
        }
        try {
            BuiltinRecognizer recognizer((dir.path() + "/missing.pt").toStdString());
            QFAIL("no error for a missing file");
        } catch (const Error& e) {
            QCOMPARE(e.kind(), ErrorKind::Model);
        }
    }

    void hostileArchivesAreRefusedBeforeLibTorchReadsThem()
    {
        // LibTorch's unpickler reserve()s whatever a string opcode declares (fuzzing found it); the
        // archive check must refuse such a file, even with correct CRCs, before LibTorch sees it.
        QTemporaryDir dir;
        const auto good = writeRandomModel(dir.path());
        const std::string bytes = readBytes(good);
        auto declareHugeString = [](char* pkl, size_t size) {
            // The pickle opens with the module, a dict and its first key: "}(X" then a 4-byte length.
            const std::string head(pkl, std::min<size_t>(size, 64));
            const size_t at = head.find("}(X");
            QVERIFY(at != std::string::npos);
            pkl[at + 3] = '\xf0'; pkl[at + 4] = '\xff'; pkl[at + 5] = '\xff'; pkl[at + 6] = '\x7f';
        };
        auto flipTensorByte = [](char* data, size_t size) { if (size > 0) data[size / 2] ^= 0x5a; };
        const std::vector<std::tuple<std::string, std::string, std::string>> cases = {
            {"huge-string.pt", patchedArchive(bytes, "data.pkl", declareHugeString, true), "pickle opcode declares"},
            {"bad-crc.pt", patchedArchive(bytes, "data/0", flipTensorByte, false), "CRC-32"},
            {"bad-code.pt", patchedArchive(bytes, "__torch__.py", flipTensorByte, false), "compressed data"},
        };
        for (const auto& [name, content, reason] : cases) {
            const std::string error = modelError((dir.path() + "/" + QString::fromStdString(name)).toStdString(), content);
            QVERIFY2(error.find(reason) != std::string::npos, (name + ": " + error).c_str());
        }
    }

    void declaredModelLargerThanTheFileIsRefused()
    {
        // Metadata that declares a 64-layer, 4096-wide model (billions of parameters) in a file of a
        // few hundred bytes: refused before anything is allocated.
        QTemporaryDir dir;
        BuiltinHParams huge;
        huge.dModel = 4096;
        huge.heads = 16;
        huge.encoderLayers = huge.decoderLayers = 64;
        huge.ffDim = 16384;
        const nlohmann::json meta = {{"format", "attnscope.builtin/1"}, {"hparams", huge.toJson()}};
        torch::serialize::OutputArchive archive;
        archive.write("meta", c10::IValue(meta.dump()));
        const std::string path = (dir.path() + "/huge.pt").toStdString();
        archive.save_to(path);
        struct rusage before {};
        ::getrusage(RUSAGE_SELF, &before);
        try {
            BuiltinRecognizer recognizer(path);
            QFAIL("loaded a model its file cannot hold");
        } catch (const Error& e) {
            QCOMPARE(e.kind(), ErrorKind::Model);
            QVERIFY2(std::string(e.what()).find("declare") != std::string::npos, e.what());
        }
        struct rusage after {};
        ::getrusage(RUSAGE_SELF, &after);
        QVERIFY(after.ru_maxrss - before.ru_maxrss < 100 * 1024);
    }

    void factoryTellsBuiltinFilesFromGgml()
    {
        QTemporaryDir dir;
        const auto path = writeRandomModel(dir.path());
        const auto recognizer = loadRecognizer(path);
        QCOMPARE(recognizer->info().kind, std::string("builtin"));
        QCOMPARE(recognizer->info().layers, 2);
        QCOMPARE(recognizer->info().alignmentHeads.size(), size_t(1));
    }
};

QTEST_GUILESS_MAIN(TestBuiltinModelFile)
#include "test_builtin_model_file.moc"
