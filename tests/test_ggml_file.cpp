// The ggml loader: valid files load; every kind of malformed file is a clear Error(Model).
#include "base/Error.h"
#include "model/cpu/Int16Blocks.h"
#include "model/whisper/GgmlFile.h"
#include "model/whisper/GgmlQuant.h"
#include "model/whisper/GgmlRowDecoder.h"
#include "model/whisper/GgmlWriter.h"
#include "model/whisper/WhisperRecognizer.h"
#include "model/whisper/WhisperRecognizerImpl.h"
#include "support/TestSupport.h"

#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QtTest>

#include <sys/resource.h>

#include <cmath>
#include <cstring>
#include <limits>

using namespace attnscope;

namespace {

struct Record {
    int64_t start, end;
    QByteArray name;
    int64_t dimsAt;  // offset of dims[0]
};

QByteArray readAll(const QString& path)
{
    QFile f(path);
    f.open(QIODevice::ReadOnly);
    return f.readAll();
}

void writeAll(const QString& path, const QByteArray& bytes)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write(bytes);
}

int32_t i32At(const QByteArray& b, int64_t at)
{
    int32_t v;
    std::memcpy(&v, b.constData() + at, 4);
    return v;
}

void setI32(QByteArray& b, int64_t at, int32_t v) { std::memcpy(b.data() + at, &v, 4); }

std::vector<Record> records(const QByteArray& b, int64_t offset)
{
    std::vector<Record> out;
    int64_t p = offset;
    while (p < b.size()) {
        const int32_t nDims = i32At(b, p), nameLen = i32At(b, p + 4), type = i32At(b, p + 8);
        int64_t count = 1;
        for (int i = 0; i < nDims; ++i)
            count *= i32At(b, p + 12 + 4 * i);
        const int64_t nameAt = p + 12 + 4 * nDims;
        const int64_t end = nameAt + nameLen + count * (type == 0 ? 4 : 2);
        out.push_back({p, end, b.mid(nameAt, nameLen), p + 12});
        p = end;
    }
    return out;
}

// Values over many magnitudes, with a zero, a huge and a tiny one: quantization's corner cases.
torch::Tensor extremeValues(int64_t n)
{
    auto values = torch::randn({n}) * torch::exp(torch::randn({n}));
    values[3] = 0.0f;
    values[70] = 1e4f;
    values[71] = -1e-6f;
    return values;
}

// The largest magnitude in the block of 32 that holds w[i].
double blockLargest(const std::vector<float>& w, int64_t i)
{
    double largest = 0;
    for (int64_t j = i / 32 * 32; j < i / 32 * 32 + 32; ++j) largest = std::max(largest, std::fabs(double(w[j])));
    return largest;
}

}  // namespace

class TestGgmlFile : public QObject {
    Q_OBJECT
    QTemporaryDir dir;
    QString good;
    QByteArray bytes;
    int64_t tensorsAt = 0;

    void expectModelError(const QByteArray& content, const char* fragment)
    {
        static int n = 0;
        const QString path = dir.filePath(QString("bad-%1.bin").arg(++n));
        writeAll(path, content);
        try {
            WhisperRecognizer r(path.toStdString());
            QFAIL(qPrintable(QString("no error, expected '%1'").arg(fragment)));
        } catch (const Error& e) {
            QCOMPARE(e.kind(), ErrorKind::Model);
            const QString msg = e.what();
            QVERIFY2(msg.contains(path), qPrintable(msg));
            QVERIFY2(msg.contains(fragment), qPrintable(msg + " <- expected: " + fragment));
            QVERIFY(!msg.contains('\n'));
        }
    }

private slots:
    void initTestCase()
    {
        good = QString::fromStdString(test::makeWhisperFile(dir.path(), "ggml-good.bin", "test", true, 3, false));
        bytes = readAll(good);
        tensorsAt = GgmlFile(good.toStdString()).header().tensorsOffset;
    }

    void validFileLoads()
    {
        WhisperRecognizer r(good.toStdString());
        QCOMPARE(r.info().layers, 2);
        QCOMPARE(r.info().heads, 2);
        QCOMPARE(r.info().kind, std::string("whisper"));
        // Unknown shapes fall back to every head of the upper half of the decoder.
        QCOMPARE(static_cast<int>(r.info().alignmentHeads.size()), 2);
        QCOMPARE(r.info().alignmentHeads[0].layer, 1);
    }

    void missingAndNotAFile()
    {
        expectModelError(QByteArray(), "magic");
        try {
            WhisperRecognizer r(dir.filePath("nope.bin").toStdString());
            QFAIL("loaded a missing file");
        } catch (const Error& e) {
            QCOMPARE(e.kind(), ErrorKind::Model);
            QVERIFY(QString(e.what()).contains("no such file"));
        }
    }

    void badHeader()
    {
        QByteArray b = bytes;
        b[0] = 'X';
        expectModelError(b, "bad magic");
        expectModelError(bytes.left(20), "truncated header");
        b = bytes;
        setI32(b, 4 + 4 * 2, -1);  // n_audio_state
        expectModelError(b, "n_audio_state = -1");
        b = bytes;
        setI32(b, 4 + 4 * 4, 0);  // n_audio_layer
        expectModelError(b, "n_audio_layer = 0");
        b = bytes;
        setI32(b, 4 + 4 * 8, 1 << 30);  // absurd n_text_layer
        expectModelError(b, "n_text_layer");
        b = bytes;
        setI32(b, 4 + 4 * 10, 5);  // ftype 5: no file type ggml writes
        expectModelError(b, "ftype 5");
        b = bytes;
        setI32(b, 4 + 4 * 3, 5);  // 64 wide, 5 heads
        expectModelError(b, "multiple of the head count");
    }

    void badFiltersAndVocabulary()
    {
        QByteArray b = bytes;
        setI32(b, 48, 79);  // n_mel disagrees with the header
        expectModelError(b, "mel filters are 79x201");
        const int64_t vocabAt = 48 + 8 + 80 * 201 * 4;
        b = bytes;
        setI32(b, vocabAt, 0x7fffffff);  // token count that would overflow
        expectModelError(b, "vocabulary size");
        b = bytes;
        setI32(b, vocabAt + 4, 0x7ffffff0);  // one token claims 2 GB
        expectModelError(b, "token 0 is");
    }

    void headerLargerThanTheFileAllocatesNothing()
    {
        // A valid 64-wide file whose header claims 4096-wide layers: the weights would need ~1.5 GB.
        // The loader's size check refuses it before the model is built (no allocation, no random init).
        struct rusage before {};
        ::getrusage(RUSAGE_SELF, &before);
        QByteArray b = bytes;
        setI32(b, 4 + 4 * 2, 4096);  // n_audio_state
        setI32(b, 4 + 4 * 6, 4096);  // n_text_state
        expectModelError(b, "but the header needs at least");
        struct rusage after {};
        ::getrusage(RUSAGE_SELF, &after);
        QVERIFY2(after.ru_maxrss - before.ru_maxrss < 100 * 1024,
                 qPrintable(QString("peak RSS grew by %1 MB").arg((after.ru_maxrss - before.ru_maxrss) / 1024)));
    }

    void headerWithoutWeights()
    {
        expectModelError(bytes.left(tensorsAt), "header without weights");
        const QString shared = test::sharedDir();
        if (!shared.isEmpty())
            expectModelError(readAll(shared + "/data/whisper-vocab/for-tests-ggml-base.en.bin"), "header without weights");
    }

    void badTensors()
    {
        const auto recs = records(bytes, tensorsAt);
        QVERIFY(recs.size() > 20);
        // Truncated in the middle of the last tensor.
        expectModelError(bytes.left(bytes.size() - 100), "truncated");
        // A tensor missing entirely (the file still ends cleanly).
        {
            // The largest tensor twice: enough bytes for the size check, so the duplicate is what fails.
            const auto largest = std::max_element(recs.begin(), recs.end(), [](const Record& a, const Record& b) {
                return a.end - a.start < b.end - b.start;
            });
            expectModelError(bytes + bytes.mid(largest->start, largest->end - largest->start), "appears twice");
            expectModelError(bytes.left(recs.back().start) + QByteArray(static_cast<int>(recs.back().end - recs.back().start), '\0'), "dimensions");
        }
        {
            QByteArray b = bytes;
            const auto& r = recs[3];
            const int64_t nameAt = r.dimsAt + 4 * i32At(b, r.start);
            b[static_cast<qsizetype>(nameAt)] = 'Z';
            expectModelError(b, "unknown tensor");
        }
        {
            // Swap a matrix's dimensions: same byte count, wrong shape.
            for (const auto& r : recs) {
                if (i32At(bytes, r.start) != 2 || i32At(bytes, r.dimsAt) == i32At(bytes, r.dimsAt + 4))
                    continue;
                QByteArray b = bytes;
                const int32_t d0 = i32At(b, r.dimsAt), d1 = i32At(b, r.dimsAt + 4);
                setI32(b, r.dimsAt, d1);
                setI32(b, r.dimsAt + 4, d0);
                expectModelError(b, "has shape");
                break;
            }
        }
        {
            QByteArray b = bytes;
            setI32(b, recs[0].start + 8, 5);  // tensor type 5 (a ggml type whisper.cpp no longer writes)
            expectModelError(b, "tensor type 5");
            b = bytes;
            setI32(b, recs[0].start, 9);  // 9 dimensions
            expectModelError(b, "9 dimensions");
            b = bytes;
            setI32(b, recs[0].start + 4, -3);  // negative name length
            expectModelError(b, "name of -3 bytes");
        }
        {
            // Drop one whole tensor and append zero padding of the same size: reported as missing or bad.
            const auto& r = recs[recs.size() / 2];
            QByteArray b = bytes.left(r.start) + bytes.mid(r.end);
            b.append(QByteArray(static_cast<int>(r.end - r.start), 0));
            expectModelError(b, "tensor");
        }
        {
            // Remove the last tensor without padding: the total-size check or the missing check catches it.
            expectModelError(bytes.left(recs.back().start), "");
        }
        {
            // NaN in a weight.
            QByteArray b = bytes;
            const auto& r = recs[0];
            const int64_t dataAt = r.dimsAt + 4 * i32At(b, r.start) + r.name.size();
            const float nan = std::numeric_limits<float>::quiet_NaN();
            if (i32At(b, r.start + 8) == 0) {
                std::memcpy(b.data() + dataAt, &nan, 4);
            } else {
                const uint16_t halfNan = 0x7e00;
                std::memcpy(b.data() + dataAt, &halfNan, 2);
            }
            expectModelError(b, "NaN");
        }
    }

    void f32AndF16LoadTheSameWeights()
    {
        const auto f16 = test::makeWhisperFile(dir.path(), "ggml-a.bin", "test", true, 11, false);
        const auto f32 = test::makeWhisperFile(dir.path(), "ggml-b.bin", "test", false, 11, false);
        QVERIFY(QFileInfo(QString::fromStdString(f32)).size() > QFileInfo(QString::fromStdString(f16)).size());
        std::map<std::string, torch::Tensor> a, b;
        const auto shapes = whisperTensorShapes(GgmlFile(f16).header().hparams);
        GgmlFile(f16).readTensors(shapes, [&](const std::string& n, const torch::Tensor& t) { a[n] = t; });
        GgmlFile(f32).readTensors(shapes, [&](const std::string& n, const torch::Tensor& t) { b[n] = t; });
        QCOMPARE(a.size(), shapes.size());
        for (const auto& [name, t] : a)
            QVERIFY2(torch::equal(t, b[name]), name.c_str());
    }

    void quantizedValuesStayWithinOneStep()
    {
        torch::manual_seed(5);
        const auto x = (torch::randn({4096}) * 0.7 + 0.1).contiguous();
        const float* v = x.data_ptr<float>();
        for (GgmlType type : {GgmlType::F16, GgmlType::Q4_0, GgmlType::Q4_1, GgmlType::Q5_0, GgmlType::Q5_1, GgmlType::Q8_0}) {
            const auto stored = ggmlQuantize(type, v, x.numel());
            QCOMPARE(static_cast<int64_t>(stored.size()), ggmlRowBytes(type, x.numel()));
            std::vector<float> y(static_cast<size_t>(x.numel()));
            ggmlDequantize(type, stored.data(), y.data(), x.numel());
            double meanError = 0.0;
            for (int64_t b = 0; b < x.numel() / kGgmlBlockValues; ++b) {
                const float* block = v + b * kGgmlBlockValues;
                const auto [lo, hi] = std::minmax_element(block, block + kGgmlBlockValues);
                const double amax = std::max(std::abs(*lo), std::abs(*hi)), range = *hi - *lo;
                // One code's width: the error of rounding to nearest is half of it, a full one where the
                // symmetric types clip the extreme opposite the scale's sign.
                const double step = type == GgmlType::F16 ? amax / 1024 : type == GgmlType::Q4_0 ? amax / 8
                                  : type == GgmlType::Q5_0 ? amax / 16 : type == GgmlType::Q4_1 ? range / 15
                                  : type == GgmlType::Q5_1 ? range / 31 : amax / 127;
                for (int j = 0; j < kGgmlBlockValues; ++j) {
                    const double error = std::abs(y[b * kGgmlBlockValues + j] - block[j]);
                    QVERIFY2(error <= 1.01 * step + 1e-3 * amax,
                             qPrintable(QString("%1: value %2 came back as %3 (step %4)").arg(ggmlTypeName(type).c_str())
                                            .arg(block[j]).arg(y[b * kGgmlBlockValues + j]).arg(step)));
                    meanError += error / step;
                }
            }
            meanError /= static_cast<double>(x.numel());
            // Rounding to nearest: about a quarter of a step on average, never exact (f16's step is
            // relative to each value, finer than amax / 1024 for most of them).
            QVERIFY2(type == GgmlType::F16 ? meanError > 0.01 && meanError < 0.25 : meanError > 0.1 && meanError < 0.35, qPrintable(QString("%1: mean error %2 steps")
                                                                          .arg(ggmlTypeName(type).c_str()).arg(meanError)));
        }
    }

    void everyTypeLoadsAndTranscribesLikeItsF32Twin()
    {
        // Half a second of a tone and noise: enough audio for one window.
        Audio audio;
        torch::manual_seed(2);
        const auto t = torch::arange(8000, torch::kFloat32) / 16000.0;
        const auto s = (0.3 * torch::sin(t * 2 * M_PI * 440) + 0.05 * torch::randn({8000})).contiguous();
        audio.samples.assign(s.data_ptr<float>(), s.data_ptr<float>() + 8000);
        TranscribeOptions greedy;
        greedy.whisper.temperatures = {0.0};
        TranscribeOptions beam = greedy;  // a beam's sequences share each quantized row
        beam.decoding.beamSize = 3;
        for (GgmlType type : {GgmlType::Q4_0, GgmlType::Q4_1, GgmlType::Q5_0, GgmlType::Q5_1, GgmlType::Q8_0}) {
            const QString name = QString::fromStdString(ggmlTypeName(type));
            TestModelSpec spec;
            spec.hparams = whisperShape("test");
            spec.seed = 9;
            spec.outputScale = 4.0;
            spec.matrices = type;
            const std::string quantized = dir.filePath("ggml-" + name + ".bin").toStdString();
            writeTestModel(quantized, spec);
            spec.matrices = GgmlType::F32;
            spec.roundedAs = type;
            const std::string twin = dir.filePath("ggml-" + name + "-f32.bin").toStdString();
            writeTestModel(twin, spec);
            QCOMPARE(GgmlFile(quantized).header().hparams.ftype, ggmlFtype(type));
            QVERIFY(QFileInfo(QString::fromStdString(quantized)).size() < QFileInfo(QString::fromStdString(twin)).size() / 3);

            std::map<std::string, torch::Tensor> a, b;
            const auto shapes = whisperTensorShapes(GgmlFile(quantized).header().hparams);
            GgmlFile(quantized).readTensors(shapes, [&](const std::string& n, const torch::Tensor& x) { a[n] = x; });
            GgmlFile(twin).readTensors(shapes, [&](const std::string& n, const torch::Tensor& x) { b[n] = x; });
            for (const auto& [tensor, x] : a)
                QVERIFY2(torch::equal(x, b[tensor]), qPrintable(name + ": " + tensor.c_str()));

            WhisperRecognizer q(quantized), f(twin);
            QVERIFY2(q.describe().find(name.toStdString()) != std::string::npos, q.describe().c_str());
            const Transcript tq = q.transcribe(audio, greedy), tf = f.transcribe(audio, greedy);
            QVERIFY2(!tq.tokens.empty(), qPrintable(name));
            QCOMPARE(tq.decodeReports.at(0).tokens, tf.decodeReports.at(0).tokens);
            if (type == GgmlType::Q5_1) {
                const auto bq = q.transcribe(audio, beam).decodeReports.at(0).tokens;
                QVERIFY(bq.size() > 1);
                QCOMPARE(bq, f.transcribe(audio, beam).decodeReports.at(0).tokens);
            }
        }
    }

    void fastRowDecodersEqualTheReferenceBitForBit()
    {
        // The encoder widens rows with these (and the decoder step, without AVX2); the twin test needs them to give
        // exactly ggmlDequantize's values (d * q + m rounded twice, never fused).
        torch::manual_seed(4);
        const int64_t n = 32 * 40;
        const auto values = extremeValues(n);
        for (GgmlType type : {GgmlType::F16, GgmlType::Q4_0, GgmlType::Q4_1, GgmlType::Q5_0, GgmlType::Q5_1, GgmlType::Q8_0}) {
            const auto stored = ggmlQuantize(type, values.data_ptr<float>(), n);
            std::vector<float> reference(n), fast(n, -7.0f);
            ggmlDequantize(type, stored.data(), reference.data(), n);
            ggmlRowDecoder(type)(stored.data(), fast.data(), n);
            QVERIFY2(std::memcmp(reference.data(), fast.data(), n * sizeof(float)) == 0,
                     ggmlTypeName(type).c_str());
        }
    }

    void blockDotProductsEqualTheDecodedRowsWithinTheInputsRounding()
    {
        // The decoder step multiplies a row's codes by its inputs rounded to 16 bits per block. Each
        // input value moves by at most half its block's scale, so the result may differ from the exact
        // product of the decoded row by sum |w| * scale / 2 (plus float rounding), and no more.
        // 43 blocks: ten groups of four and three single ones.
        torch::manual_seed(5);
        const int64_t n = 32 * 43;
        const auto values = extremeValues(n);
        for (GgmlType type : {GgmlType::Q4_0, GgmlType::Q4_1, GgmlType::Q5_0, GgmlType::Q5_1, GgmlType::Q8_0}) {
            const auto dot = ggmlRowDot(type), avx2 = ggmlRowDot(type, RowDotKernels::Avx2);
            if (!dot)
                QSKIP("this CPU lacks AVX2, FMA or F16C: the step widens every row");
            const auto stored = ggmlQuantize(type, values.data_ptr<float>(), n);
            std::vector<float> w(n);
            ggmlDequantize(type, stored.data(), w.data(), n);
            std::vector<Int16Blocks> prepared(3);
            for (int trial = 0; trial < 3; ++trial) {
                auto x = torch::randn({n}) * (trial == 2 ? torch::exp(2 * torch::randn({n})) : torch::ones({n}));
                if (trial == 1)
                    x.narrow(0, 64, 32).zero_();  // a block of zeros has scale 0
                prepared[trial].assign(x.data_ptr<float>(), n);
                double exact = 0, allowed = 0;
                for (int64_t i = 0; i < n; ++i) {
                    const double xi = x[i].item<float>();
                    exact += static_cast<double>(w[i]) * xi;
                    // The shifts (m or the offset) multiply the exact block sums, so the rounding of x
                    // meets only d * q = w - shift: at most |w| + the block's largest |w|.
                    const double weight = std::fabs(w[i]) + blockLargest(w, i);
                    allowed += weight * (prepared[trial].scales[i / 32] / 2 + 1e-6 * std::fabs(xi));
                }
                float fused = 0, fusedAvx2 = 0;
                dot(stored.data(), &prepared[trial], 1, n, &fused);
                // Where the CPU has AVX-512 with VNNI, `dot` uses it: the AVX2 version agrees bit for bit.
                avx2(stored.data(), &prepared[trial], 1, n, &fusedAvx2);
                QVERIFY2(std::memcmp(&fused, &fusedAvx2, sizeof fused) == 0, ggmlTypeName(type).c_str());
                QVERIFY2(std::fabs(fused - exact) <= allowed,
                         qPrintable(QString("%1 trial %2: %3 against %4, allowed %5").arg(ggmlTypeName(type).c_str())
                                        .arg(trial).arg(fused).arg(exact).arg(allowed)));
            }
            // A beam's sequences together: each result is the one it gets alone.
            float together[3], alone[3];
            dot(stored.data(), prepared.data(), 3, n, together);
            for (int c = 0; c < 3; ++c) dot(stored.data(), &prepared[c], 1, n, &alone[c]);
            QVERIFY2(std::memcmp(together, alone, sizeof together) == 0, ggmlTypeName(type).c_str());
        }
    }

    void inputsAreRoundedTo16BitsPerBlock()
    {
        const int64_t n = 96;
        std::vector<float> x(n);
        for (int64_t i = 0; i < n; ++i) x[i] = std::sin(0.37f * i) * (i < 32 ? 1.0f : 1e-3f);
        std::fill(x.begin() + 64, x.end(), 0.0f);
        x[40] = -5e-3f;
        Int16Blocks p;
        p.assign(x.data(), n);
        QCOMPARE(p.codes.size(), size_t(n));
        QCOMPARE(p.scales[2], 0.0f);
        QCOMPARE(p.codes[70], int16_t(0));
        QCOMPARE(p.codes[40], int16_t(-32767));  // the largest magnitude takes the largest code
        for (int64_t i = 0; i < 64; ++i) {
            const float scale = p.scales[i / 32];
            QVERIFY2(std::fabs(x[i] - scale * p.codes[i]) <= scale * 0.5001f, qPrintable(QString::number(i)));
        }
        float sum = 0;
        for (int64_t i = 32; i < 64; ++i) sum += x[i];
        QVERIFY(std::fabs(p.sums[1] - sum) <= 1e-6f * 32 * 5e-3f);

        // A block below the smallest normal float counts as zeros; a NaN makes its block's scale NaN,
        // so that it reaches the products; infinity makes the scale infinite.
        std::vector<float> odd(96, 1e-39f);
        odd[40] = std::numeric_limits<float>::quiet_NaN();
        odd[70] = -std::numeric_limits<float>::infinity();
        p.assign(odd.data(), 96);
        QCOMPARE(p.scales[0], 0.0f);
        QCOMPARE(p.codes[5], int16_t(0));
        QVERIFY(std::isnan(p.scales[1]));
        QVERIFY(std::isinf(p.scales[2]));
    }

    void weightsStayAtTheFilePrecisionInMemory()
    {
        // A q5_1 file's matrices stay in their blocks: the model keeps the file's bytes for them (the
        // embedding too, which the vocabulary projection reads in place where the CPU has AVX2, and
        // rounds to f16 where not), and no projection holds a float32 matrix once a transcription is over.
        TestModelSpec spec;
        spec.hparams = whisperShape("test");
        spec.matrices = GgmlType::Q5_1;
        const std::string path = dir.filePath("ggml-kept-q5_1.bin").toStdString();
        writeTestModel(path, spec);
        int64_t matrixBytes = 0, embeddingValues = 0, embeddingBytes = 0, values = 0;
        GgmlFile(path).readStoredTensors(whisperTensorShapes(GgmlFile(path).header().hparams),
                                         [&](const std::string& name, GgmlTensor t) {
                                             values += t.numel();
                                             if (name == "decoder.token_embedding.weight")
                                                 embeddingValues = t.numel(), embeddingBytes = t.bytes.numel();
                                             else if (WhisperWeights::keeps(name, t.shape))
                                                 matrixBytes += t.bytes.numel();
                                         });
        WhisperRecognizer r(path);
        auto& m = r.impl();
        const bool inBlocks = ggmlRowDot(GgmlType::Q5_1) != nullptr;
        QCOMPARE(m.weights->bytes(), matrixBytes + (inBlocks ? embeddingBytes : 2 * embeddingValues));
        QCOMPARE(m.weights->at("decoder.token_embedding.weight").type, inBlocks ? GgmlType::Q5_1 : GgmlType::F16);
        QCOMPARE(m.projection->table().bytes.data_ptr(), m.weights->at("decoder.token_embedding.weight").bytes.data_ptr());
        QVERIFY(m.weights->at("encoder.blocks.0.mlp.0.weight").type == GgmlType::Q5_1);
        // Each block's query, key and value are stored once, as one matrix, yet counted once.
        QVERIFY(m.weights->holds("decoder.blocks.0.attn.qkv.weight"));
        QVERIFY2(r.describe().find("parameters: " + std::to_string(values) + "\n") != std::string::npos,
                 r.describe().c_str());
        Audio audio;
        audio.samples.assign(8000, 0.01f);
        TranscribeOptions greedy;
        greedy.whisper.temperatures = {0.0};
        r.transcribe(audio, greedy);
        for (auto* blocks : {&m.model->encoder->blocks, &m.model->decoder->blocks})
            for (const auto& module : **blocks)
                for (const auto& [name, linear] : module->as<ResidualAttentionBlockImpl>()->projections())
                    QVERIFY2(!linear->weight.defined(), name.c_str());
        for (const auto& p : m.model->parameters())
            QVERIFY(p.dim() < 2 || p.size(0) != m.hp.nVocab);  // no float32 embedding either
    }

    void malformedQuantizedFilesAreModelErrors()
    {
        TestModelSpec spec;
        spec.hparams = whisperShape("test");
        spec.matrices = GgmlType::Q5_1;
        const QString path = dir.filePath("ggml-q5_1-source.bin");
        writeTestModel(path.toStdString(), spec);
        const QByteArray q = readAll(path);
        // Cut inside the last block of the last tensor.
        expectModelError(q.left(q.size() - 7), "truncated");
        // A convolution (rows of 3 values) claiming q5_1 blocks of 32.
        QByteArray b = q;
        const qsizetype nameAt = b.indexOf("encoder.conv1.weight");
        QVERIFY(nameAt > 0);
        setI32(b, nameAt - 4 * 3 - 4, static_cast<int32_t>(GgmlType::Q5_1));
        expectModelError(b, "not whole q5_1 blocks");
        // A header ftype no ggml writes.
        b = q;
        setI32(b, 4 + 10 * 4, 2005);
        expectModelError(b, "ftype 2005");
    }
};

QTEST_GUILESS_MAIN(TestGgmlFile)
#include "test_ggml_file.moc"
