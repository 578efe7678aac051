// Replays, through the same entry points as the libFuzzer targets (tests/fuzz/), every input that
// once crashed or hung a loader (tests/fuzz/regressions/<target>/) and a few degenerate inputs. Each
// loader may refuse a file only with attnscope::Error; anything else reaching here is a failure.
#include "FuzzEntryPoints.h"

#include <QDir>
#include <QFile>
#include <QtTest>

#include <functional>

using namespace attnscope;

class TestFuzzRegressions : public QObject {
    Q_OBJECT

    void replay(const QString& target, const std::function<void(const uint8_t*, size_t)>& load)
    {
        std::vector<QByteArray> inputs = {QByteArray(), QByteArray(1, '\0'), QByteArray("RIFF\xff\xff\xff\xff WAVE", 13),
                                          QByteArray("lmgg", 4), QByteArray("PK\x03\x04", 4),
                                          QByteArray("\xbf\x66schema", 8), QByteArray(70000, '\xff')};
        const QDir dir(QStringLiteral(ATTNSCOPE_SOURCE_DIR) + "/tests/fuzz/regressions/" + target);
        int files = 0;
        for (const QString& name : dir.entryList(QDir::Files)) {
            QFile f(dir.filePath(name));
            QVERIFY(f.open(QIODevice::ReadOnly));
            inputs.push_back(f.readAll());
            ++files;
        }
        qInfo("%s: %d saved inputs", qPrintable(target), files);
        for (const auto& input : inputs) {
            try {
                load(reinterpret_cast<const uint8_t*>(input.constData()), static_cast<size_t>(input.size()));
            } catch (const std::exception& e) {
                QFAIL(qPrintable(QString("%1: an input of %2 bytes escaped as %3").arg(target).arg(input.size()).arg(e.what())));
            }
        }
    }

private slots:
    void audio() { replay("audio", fuzz::loadAudio); }
    void whisperModel() { replay("whisper_model", fuzz::loadWhisperModel); }
    void builtinModel() { replay("builtin_model", fuzz::loadBuiltinModel); }
    void session() { replay("session", fuzz::loadSessionFile); }
};

QTEST_GUILESS_MAIN(TestFuzzRegressions)
#include "test_fuzz_regressions.moc"
