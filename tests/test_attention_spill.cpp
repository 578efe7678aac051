// Where attention weights live: memory up to a budget, then an unnamed mapped file. Checks that
// spilled weights read back exactly, that nothing is left on disk, that a full disk or an unusable
// directory keeps the weights in memory instead of losing them, and that a recognizer's transcript
// is the same whichever way its windows were stored.
#include "base/MemoryPolicy.h"
#include "model/builtin/BuiltinModel.h"
#include "model/builtin/BuiltinRecognizer.h"
#include "transcript/AttentionSpill.h"
#include "support/SmallBuiltinModel.h"

#include <QDir>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>
#include <cstdlib>
#include <cstring>
#include <sys/resource.h>

using namespace attnscope;

namespace {
std::vector<float> ramp(size_t n, float scale)
{
    std::vector<float> v(n);
    for (size_t i = 0; i < n; ++i)
        v[i] = scale * static_cast<float>(i % 977) / 977.0f;
    return v;
}

bool equalsAtHalfPrecision(const HalfArray& stored, const std::vector<float>& original)
{
    if (stored.size() != original.size())
        return false;
    for (size_t i = 0; i < original.size(); ++i)
        if (static_cast<float>(stored[i]) != static_cast<float>(qfloat16(original[i])))
            return false;
    return true;
}
}  // namespace

class TestAttentionSpill : public QObject {
    Q_OBJECT
private slots:
    void windowsPastTheBudgetGoToAnUnnamedFile()
    {
        QTemporaryDir dir;
        AttentionSpill spill({/*memoryBudgetBytes=*/150000, dir.path().toStdString()});
        const auto first = ramp(50000, 1.0f), second = ramp(70000, 0.5f), third = ramp(3, 0.25f);
        const HalfArray a = spill.store(first.data(), first.size());    // 100 KB: within the budget
        const HalfArray b = spill.store(second.data(), second.size());  // 140 KB more: past it
        const HalfArray c = spill.store(third.data(), third.size());    // 6 bytes: fits what is left
        QVERIFY(!a.spilled());
        QVERIFY(b.spilled());
        QVERIFY(!c.spilled());
        QCOMPARE(spill.bytesInMemory(), size_t(100006));
        QCOMPARE(spill.bytesSpilled(), size_t(140000));
        QVERIFY(equalsAtHalfPrecision(a, first));
        QVERIFY(equalsAtHalfPrecision(b, second));
        QVERIFY(equalsAtHalfPrecision(c, third));
        // The file has no name: nothing to clean up, even after a crash.
        QVERIFY2(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden).isEmpty(),
                 qPrintable(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden).join(", ")));
    }

    void spilledWeightsOutliveTheSpillAndShareOnCopy()
    {
        QTemporaryDir dir;
        const auto values = ramp(10000, 1.0f);
        HalfArray kept;
        {
            AttentionSpill spill({0, dir.path().toStdString()});
            kept = spill.store(values.data(), values.size());
        }
        const HalfArray copy = kept;  // shares the mapping
        QVERIFY(kept.spilled());
        QCOMPARE(copy.data(), kept.data());
        QVERIFY(equalsAtHalfPrecision(copy, values));
    }

    void aFullDiskKeepsTheWeightsInMemory()
    {
        // A file-size limit makes the write fail part-way, like a full disk (EFBIG instead of ENOSPC).
        QTemporaryDir dir;
        AttentionSpill spill({0, dir.path().toStdString()});
        struct rlimit old {};
        getrlimit(RLIMIT_FSIZE, &old);
        const auto previous = signal(SIGXFSZ, SIG_IGN);
        struct rlimit small = old;
        small.rlim_cur = 64 * 1024;
        QCOMPARE(setrlimit(RLIMIT_FSIZE, &small), 0);
        const auto fits = ramp(1000, 1.0f), tooBig = ramp(100000, 1.0f);
        const HalfArray a = spill.store(fits.data(), fits.size());
        const HalfArray b = spill.store(tooBig.data(), tooBig.size());
        const HalfArray c = spill.store(fits.data(), fits.size());
        setrlimit(RLIMIT_FSIZE, &old);
        signal(SIGXFSZ, previous);
        QVERIFY(a.spilled());
        QVERIFY(!b.spilled());
        QVERIFY(!c.spilled());  // once the disk has refused, later windows stay in memory too
        QVERIFY(equalsAtHalfPrecision(a, fits));
        QVERIFY(equalsAtHalfPrecision(b, tooBig));
        QVERIFY(equalsAtHalfPrecision(c, fits));
    }

    void anUnusableDirectoryKeepsTheWeightsInMemory()
    {
        AttentionSpill spill({0, "/nonexistent/attnscope-spill"});
        const auto values = ramp(5000, 1.0f);
        const HalfArray a = spill.store(values.data(), values.size());
        QVERIFY(!a.spilled());
        QVERIFY(equalsAtHalfPrecision(a, values));
        QCOMPARE(spill.bytesSpilled(), size_t(0));
    }

    void aRecognizersTranscriptIsTheSameSpilledOrNot()
    {
        // A seeded random built-in model over 40 s of noise (three 15 s windows).
        QTemporaryDir dir;
        const std::string path = (dir.path() + "/random.pt").toStdString();
        test::saveSmallBuiltinModel(path, test::smallBuiltinHParams(32, 2, 24), 5, {{"alignment_heads", {{1, 0}}}});
        BuiltinRecognizer recognizer(path);
        Audio audio;
        audio.samples = ramp(16000 * 40, 0.2f);
        TranscribeOptions inMemory;
        TranscribeOptions spilled;
        spilled.attention = {0, dir.path().toStdString()};
        const Transcript a = recognizer.transcribe(audio, inMemory);
        const Transcript b = recognizer.transcribe(audio, spilled);
        QVERIFY(a.windows.size() >= 3);
        QCOMPARE(b.windows.size(), a.windows.size());
        QCOMPARE(b.text, a.text);
        for (size_t i = 0; i < a.windows.size(); ++i) {
            QVERIFY(!a.windows[i].weights.spilled());
            QVERIFY(b.windows[i].weights.spilled());
            QVERIFY(b.windows[i].weights == a.windows[i].weights);
        }
        QVERIFY(b.attentionStore && b.attentionStore->bytesInMemory() == 0);
    }

    void freedMemoryIsKeptForTheNextWindow()
    {
        // A window's temporaries below the mapping threshold (4 MB): freed, then asked for again by
        // the next window. With the policy the second round reuses the pages; glibc's 128 KB trim
        // default handed them back and faulted them in again, one fault per 4 KB page.
        setAllocationPolicy();
        constexpr int kBlocks = 16;
        constexpr size_t kBytes = 2u << 20;
        const auto round = [&] {
            std::vector<char*> blocks;
            for (int i = 0; i < kBlocks; ++i) {
                blocks.push_back(static_cast<char*>(std::malloc(kBytes)));
                std::memset(blocks.back(), i, kBytes);
            }
            for (char* b : blocks) std::free(b);
        };
        const auto minorFaults = [] {
            rusage usage{};
            getrusage(RUSAGE_SELF, &usage);
            return usage.ru_minflt;
        };
        round();
        const long before = minorFaults();
        round();
        const long faults = minorFaults() - before;
        qInfo("second round of %d x 2 MB: %ld page faults (%zu pages)", kBlocks, faults, kBlocks * kBytes / 4096);
        QVERIFY2(faults < 500, qPrintable(QString::number(faults)));
    }
};

QTEST_GUILESS_MAIN(TestAttentionSpill)
#include "test_attention_spill.moc"
