#include "support/TestSupport.h"

#include "model/whisper/GgmlWriter.h"

#include <QDir>
#include <QFileInfo>
#include <QProcess>
#include <QStandardPaths>

namespace attnscope::test {

QString sharedDir()
{
    const QString dir = QDir::cleanPath(QStringLiteral(ATTNSCOPE_SOURCE_DIR) + "/../shared");
    return QFileInfo(dir + "/data").isDir() ? dir : QString();
}

bool synthesizeSpeech(const QString& text, const QString& wavPath, const QString& voice)
{
    const QString espeak = QStandardPaths::findExecutable("espeak-ng");
    if (espeak.isEmpty())
        return false;
    QProcess p;
    p.start(espeak, {"-v", voice, "-w", wavPath, text});
    return p.waitForFinished(60000) && p.exitCode() == 0 && QFileInfo(wavPath).size() > 44;
}

std::string makeWhisperFile(const QString& dir, const QString& name, const std::string& shape, bool f16,
                            uint64_t seed, bool realVocabulary)
{
    TestModelSpec spec;
    spec.hparams = whisperShape(shape);
    spec.f16 = f16;
    spec.seed = seed;
    const QString shared = sharedDir();
    if (realVocabulary && !shared.isEmpty())
        spec.headerFrom = (shared + "/data/whisper-vocab/for-tests-ggml-tiny.en.bin").toStdString();
    const std::string path = (dir + "/" + name).toStdString();
    writeTestModel(path, spec);
    return path;
}

}  // namespace attnscope::test
