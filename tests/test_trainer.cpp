// The trainer: a run interrupted by Ctrl-C keeps its checkpoint and its training history, the
// learning-rate schedule, checkpoint averaging and the CTC loss.
#include "base/Error.h"
#include "learn/TrainingHistory.h"
#include "model/builtin/BuiltinModel.h"
#include "model/builtin/TrainingHistoryRecord.h"
#include "support/SmallBuiltinModel.h"
#include "train/CheckpointAverage.h"
#include "train/CtcLoss.h"
#include "train/Trainer.h"

#include <QElapsedTimer>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <csignal>
#include <filesystem>
#include <signal.h>

using namespace attnscope;

class TestTrainer : public QObject {
    Q_OBJECT
private slots:
    void interruptedTrainingSavesItsCheckpoint()
    {
        // Ctrl-C (SIGINT) ends a run at the next step with a checkpoint that the next run resumes from.
        QTemporaryDir work;
        const QStringList args = {"--work-dir", work.path(), "--utterances", "40", "--dev-utterances", "4",
                                  "--minutes", "30", "--batch-frames", "3000", "--eval-every", "1000",
                                  "--d-model", "64", "--encoder-layers", "1", "--decoder-layers", "1", "--ff-dim", "128"};
        QProcess train;
        train.setProcessChannelMode(QProcess::MergedChannels);
        train.start(ATTNSCOPE_TRAIN_PATH, args);
        QVERIFY(train.waitForStarted());
        QByteArray log;
        QElapsedTimer clock;
        clock.start();
        while (!log.contains("\nstep ") && clock.elapsed() < 240000 && train.state() == QProcess::Running) {
            train.waitForReadyRead(1000);
            log += train.readAll();
        }
        QVERIFY2(log.contains("\nstep "), log.constData());
        ::kill(static_cast<pid_t>(train.processId()), SIGINT);
        QVERIFY(train.waitForFinished(60000));
        log += train.readAll();
        QCOMPARE(train.exitStatus(), QProcess::NormalExit);
        QCOMPARE(train.exitCode(), 0);
        QVERIFY2(log.contains("stopped at step"), log.constData());
        QVERIFY(QFile::exists(work.filePath("checkpoint.pt")));
        QFile state(work.filePath("state.json"));
        QVERIFY(state.open(QIODevice::ReadOnly));
        QVERIFY(state.readAll().contains("\"step\""));
        // The training history holds the first step's snapshot of the synthetic probe: every head's
        // attention over the probe's characters and end of text, each row a softmax.
        const QString historyPath = work.filePath("history.cbor");
        const TrainingHistory history = TrainingHistory::load(historyPath.toStdString());
        QCOMPARE(history.probes.size(), size_t(1));
        QVERIFY(!history.snapshots.empty());
        QCOMPARE(history.snapshots.front().step, 1L);
        const ProbeSnapshot& probe = history.snapshots.front().probes.front();
        QCOMPARE(probe.layers, 1);
        QCOMPARE(probe.tokens, static_cast<int>(history.probes.front().text.size()) + 1);
        for (int t = 0; t < probe.tokens; ++t) {
            double sum = 0;
            for (int f = 0; f < probe.frames; ++f) sum += probe.weight(0, 0, t, f);
            QVERIFY2(std::abs(sum - 1) < 0.02, qPrintable(QString("row %1 sums to %2").arg(t).arg(sum)));
        }
        // attnscope-cli history reads it: a CSV line per snapshot and a PNG per snapshot.
        QProcess cli;
        cli.start(ATTNSCOPE_CLI_PATH, {"history", historyPath, "--csv", work.filePath("history.csv"), "--png-series",
                                       work.filePath("frames")});
        QVERIFY(cli.waitForFinished(60000));
        QCOMPARE(cli.exitCode(), 0);
        QFile csv(work.filePath("history.csv"));
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const QStringList lines = QString::fromUtf8(csv.readAll()).split('\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), static_cast<int>(history.snapshots.size()) + 1);
        QVERIFY(lines[0].startsWith("step,minutes,loss,ce,ctc,guided,dev_cer,entropy,diagonal_mass"));
        QVERIFY(lines[1].startsWith("1,"));
        QVERIFY(QFile::exists(work.filePath("frames/step-000001.png")));
        // The next run resumes instead of starting over.
        QStringList again = args;
        again[again.indexOf("--minutes") + 1] = "0.01";
        train.start(ATTNSCOPE_TRAIN_PATH, again);
        QVERIFY(train.waitForFinished(120000));
        const QByteArray second = train.readAll();
        QVERIFY2(second.contains("resumed at step"), second.constData());
        // Each run kept its checkpoint as a snapshot; export averages them, and refuses more than exist.
        QCOMPARE(listSnapshots(work.path().toStdString()).size(), size_t(2));
        QProcess exporter;
        exporter.setProcessChannelMode(QProcess::MergedChannels);
        const QString averaged = work.filePath("averaged.pt");
        exporter.start(ATTNSCOPE_TRAIN_PATH,
                       {"export", "--work-dir", work.path(), "--out", averaged, "--average", "2", "--with-history"});
        QVERIFY(exporter.waitForFinished(60000));
        QCOMPARE(exporter.exitCode(), 0);
        QVERIFY(loadBuiltinModel(averaged.toStdString()).meta["training"]["averaged_steps"].size() == 2);
        // The exported file carries the history: the CLI reads it from the model as from the file beside it.
        cli.start(ATTNSCOPE_CLI_PATH, {"history", averaged});
        QVERIFY(cli.waitForFinished(60000));
        QCOMPARE(cli.exitCode(), 0);
        QCOMPARE(QString::fromUtf8(cli.readAllStandardOutput()).split('\n', Qt::SkipEmptyParts).size(),
                 static_cast<int>(TrainingHistory::load(historyPath.toStdString()).snapshots.size()) + 1);
        cli.start(ATTNSCOPE_CLI_PATH, {"history", work.filePath("checkpoint.pt")});  // a model without one
        QVERIFY(cli.waitForFinished(60000));
        QCOMPARE(cli.exitCode(), 2);
        QVERIFY(cli.readAllStandardError().contains("carries no training history"));
        exporter.start(ATTNSCOPE_TRAIN_PATH, {"export", "--work-dir", work.path(), "--out", averaged, "--average", "3"});
        QVERIFY(exporter.waitForFinished(60000));
        QCOMPARE(exporter.exitCode(), 2);
        QVERIFY(exporter.readAll().contains("holds 2 snapshots"));
        // Fine-tuning: a new directory started from a model file carries on at that model's step, and
        // its history carries on the history the file carries, with a snapshot after the first step
        // of fine-tuning whatever the step count.
        QTemporaryDir tune;
        QVERIFY(QFile::copy(work.filePath("train.set"), tune.filePath("train.set")));
        QVERIFY(QFile::copy(work.filePath("dev.set"), tune.filePath("dev.set")));
        const long fromStep = loadBuiltinModel(averaged.toStdString()).meta["training"]["steps"];
        QVERIFY(fromStep > 0);
        QStringList fineTune = args;
        fineTune[fineTune.indexOf("--work-dir") + 1] = tune.path();
        fineTune << "--steps" << QString::number(fromStep + 2) << "--init-from" << averaged;
        train.start(ATTNSCOPE_TRAIN_PATH, fineTune);
        QVERIFY(train.waitForFinished(240000));
        const QByteArray tuned = train.readAll();
        QCOMPARE(train.exitCode(), 0);
        QVERIFY2(tuned.contains("starting from") && tuned.contains("optimizer starts afresh"), tuned.constData());
        QVERIFY2(tuned.contains("history: carries on"), tuned.constData());
        QFile tunedState(tune.filePath("state.json"));
        QVERIFY(tunedState.open(QIODevice::ReadOnly));
        QCOMPARE(nlohmann::json::parse(tunedState.readAll().toStdString())["step"].get<long>(), fromStep + 2);
        const TrainingHistory before = TrainingHistory::load(historyPath.toStdString());
        const TrainingHistory after = TrainingHistory::load(tune.filePath("history.cbor").toStdString());
        QVERIFY(after.snapshots.size() > before.snapshots.size());
        for (size_t i = 0; i < before.snapshots.size(); ++i)
            QCOMPARE(after.snapshots[i].step, before.snapshots[i].step);
        QCOMPARE(after.snapshots[before.snapshots.size()].step, fromStep + 1);
        // A model file whose history does not hold together still fine-tunes, with a history of its own.
        TrainingHistory broken = before;
        broken.snapshots.front().probes.front().attention.pop_back();
        const QString brokenModel = work.filePath("broken-history.pt");
        QVERIFY(QFile::copy(averaged, brokenModel));
        storeTrainingHistory(brokenModel.toStdString(), broken);
        QTemporaryDir tuneBroken;
        QVERIFY(QFile::copy(work.filePath("train.set"), tuneBroken.filePath("train.set")));
        QVERIFY(QFile::copy(work.filePath("dev.set"), tuneBroken.filePath("dev.set")));
        fineTune[fineTune.indexOf("--work-dir") + 1] = tuneBroken.path();
        fineTune[fineTune.indexOf("--steps") + 1] = QString::number(fromStep + 1);
        fineTune[fineTune.size() - 1] = brokenModel;
        train.start(ATTNSCOPE_TRAIN_PATH, fineTune);
        QVERIFY(train.waitForFinished(240000));
        const QByteArray fresh = train.readAll();
        QCOMPARE(train.exitCode(), 0);
        QVERIFY2(fresh.contains("does not match its dimensions; starting a new one"), fresh.constData());
        const TrainingHistory own = TrainingHistory::load(tuneBroken.filePath("history.cbor").toStdString());
        QCOMPARE(own.snapshots.size(), size_t(1));
        QCOMPARE(own.snapshots.front().step, fromStep + 1);
        // A model's history rebuilt from its lineage, oldest first: an early snapshot file that carries
        // no history, the exported file that carries the first run's, and the fine-tuned checkpoint.
        // The initial weights and every file without the trainer's snapshot at its step are replayed,
        // with no loss terms; the trainer's snapshots stay as they were.
        const std::string early = listSnapshots(work.path().toStdString()).front();
        const QString lineage = tune.filePath("lineage.cbor");
        QProcess replay;
        replay.setProcessChannelMode(QProcess::MergedChannels);
        replay.start(ATTNSCOPE_TRAIN_PATH, {"replay-history", "--work-dir", tune.path(), "--out", lineage,
                                            QString::fromStdString(early), averaged, tune.filePath("checkpoint.pt")});
        QVERIFY(replay.waitForFinished(120000));
        const QByteArray replayLog = replay.readAll();
        QVERIFY2(replay.exitCode() == 0 && replayLog.contains("no history"), replayLog.constData());
        const TrainingHistory rebuilt = TrainingHistory::load(lineage.toStdString());
        QCOMPARE(rebuilt.probes.size(), before.probes.size());
        QCOMPARE(rebuilt.probes.front().text, before.probes.front().text);
        QCOMPARE(rebuilt.snapshots.front().step, 0L);
        QCOMPARE(rebuilt.snapshots.front().loss, -1.0);
        QCOMPARE(rebuilt.snapshots.back().step, fromStep + 2);
        QCOMPARE(rebuilt.snapshots.back().loss, -1.0);
        QVERIFY(rebuilt.snapshots.back().devCer >= 0);
        for (size_t i = 1; i < rebuilt.snapshots.size(); ++i)
            QVERIFY(rebuilt.snapshots[i].step > rebuilt.snapshots[i - 1].step);
        for (const HistorySnapshot& taken : before.snapshots) {
            const auto found = std::find_if(rebuilt.snapshots.begin(), rebuilt.snapshots.end(),
                                            [&](const HistorySnapshot& s) { return s.step == taken.step; });
            QVERIFY2(found != rebuilt.snapshots.end(), qPrintable(QString("step %1 lost").arg(taken.step)));
            QCOMPARE(found->loss, taken.loss);
            QCOMPARE(found->probes.front().attention.size(), taken.probes.front().attention.size());
        }
        const ProbeSnapshot& replayed = rebuilt.snapshots.back().probes.front();
        for (int t = 0; t < replayed.tokens; ++t) {
            double sum = 0;
            for (int f = 0; f < replayed.frames; ++f) sum += replayed.weight(0, 0, t, f);
            QVERIFY2(std::abs(sum - 1) < 0.02, qPrintable(QString("replayed row %1 sums to %2").arg(t).arg(sum)));
        }
        // --into stores it in the newest file, where attnscope-cli reads it; newest first is refused.
        const QString into = tune.filePath("tuned.pt");
        QVERIFY(QFile::copy(tune.filePath("checkpoint.pt"), into));
        replay.start(ATTNSCOPE_TRAIN_PATH, {"replay-history", "--work-dir", tune.path(), "--into", into,
                                            QString::fromStdString(early), averaged});
        QVERIFY(replay.waitForFinished(120000));
        QCOMPARE(replay.exitCode(), 0);
        QCOMPARE(readTrainingHistory(into.toStdString())->snapshots.size(), rebuilt.snapshots.size());
        replay.start(ATTNSCOPE_TRAIN_PATH, {"replay-history", "--work-dir", tune.path(), "--out", lineage, averaged,
                                            QString::fromStdString(early)});
        QVERIFY(replay.waitForFinished(120000));
        QCOMPARE(replay.exitCode(), 2);
        QVERIFY(replay.readAll().contains("list a lineage oldest first"));
        // A model file that is not one is a clear error (exit 4), not a crash.
        QFile junk(tune.filePath("junk.pt"));
        QVERIFY(junk.open(QIODevice::WriteOnly));
        junk.write("PK not a model");
        junk.close();
        fineTune[fineTune.indexOf("--work-dir") + 1] = work.filePath("other");
        fineTune[fineTune.size() - 1] = junk.fileName();
        QVERIFY(QDir().mkpath(work.filePath("other")));
        QVERIFY(QFile::copy(work.filePath("train.set"), work.filePath("other/train.set")));
        QVERIFY(QFile::copy(work.filePath("dev.set"), work.filePath("other/dev.set")));
        train.start(ATTNSCOPE_TRAIN_PATH, fineTune);
        QVERIFY(train.waitForFinished(120000));
        QCOMPARE(train.exitCode(), 4);
    }

    void learningRateWarmsUpDecaysAndAnneals()
    {
        TrainerOptions o;
        o.peakLearningRate = 1e-3;
        o.warmupSteps = 100;
        o.minutes = 60;
        QCOMPARE(learningRate(o, 50, 60), 0.5e-3);
        QCOMPARE(learningRate(o, 100, 60), 1e-3);
        QCOMPARE(learningRate(o, 400, 60), 0.5e-3);
        QCOMPARE(learningRate(o, 400, 5), 0.5e-3);  // annealing off
        o.annealMinutes = 20;
        QCOMPARE(learningRate(o, 400, 30), 0.5e-3);
        QCOMPARE(learningRate(o, 400, 10), 0.25e-3);
        QCOMPARE(learningRate(o, 400, -1), 0.0);  // past the budget
        // An optimizer that starts afresh at step 400 (fine-tuning) warms up again to the schedule's rate.
        o.annealMinutes = 0;
        QCOMPARE(learningRate(o, 400, 60, 400), 0.0);
        QCOMPARE(learningRate(o, 450, 60, 400), 0.5 * 1e-3 * std::sqrt(100.0 / 450));
        QCOMPARE(learningRate(o, 900, 60, 400), 1e-3 * std::sqrt(100.0 / 900));
    }

    void checkpointAverageIsTheMeanOfTheWeights()
    {
        QTemporaryDir dir;
        const BuiltinHParams hp = test::smallBuiltinHParams(16, 1, 16);
        std::vector<std::string> paths;
        std::vector<BuiltinModel> models;
        for (int i = 0; i < 3; ++i) {
            torch::manual_seed(10 + i);
            models.emplace_back(hp);
            paths.push_back(dir.filePath(QString("m%1.pt").arg(i)).toStdString());
            saveBuiltinModel(paths.back(), models.back(), {{"training", {{"steps", 100 * (i + 1)}}}}, false);
        }
        const BuiltinModelFile mean = averageCheckpoints(paths);
        const auto name = std::string("ctc_head.weight");
        torch::Tensor expected;
        for (auto& m : models) {
            const auto w = m->named_parameters()[name];
            expected = expected.defined() ? expected + w : w.clone();
        }
        expected /= 3.0;
        QVERIFY(torch::allclose(mean.model->named_parameters()[name], expected, 1e-5, 1e-6));
        QVERIFY(!torch::allclose(expected, models[0]->named_parameters()[name]));
        QCOMPARE(mean.meta["training"]["steps"].get<int>(), 300);  // the newest file's metadata
        QCOMPARE(mean.meta["training"]["averaged_steps"], nlohmann::json({100, 200, 300}));
        // A checkpoint of another shape is refused, not mixed in.
        BuiltinHParams wider = hp;
        wider.dModel = 32;
        BuiltinModel other(wider);
        const std::string otherPath = dir.filePath("other.pt").toStdString();
        saveBuiltinModel(otherPath, other, {}, false);
        QVERIFY_THROWS_EXCEPTION(Error, averageCheckpoints({paths[0], otherPath}));
        QVERIFY_THROWS_EXCEPTION(Error, averageCheckpoints({}));
        // Snapshots keep the newest ones only.
        const std::string work = dir.path().toStdString();
        std::filesystem::copy_file(paths[0], work + "/checkpoint.pt");
        for (long step : {5, 10, 15, 20}) keepSnapshot(work, step, 2);
        const auto kept = listSnapshots(work);
        QCOMPARE(kept.size(), size_t(2));
        QVERIFY(QString::fromStdString(kept[0]).endsWith("step-000015.pt"));
        QVERIFY(QString::fromStdString(kept[1]).endsWith("step-000020.pt"));
    }

    void ctcLossMatchesLibTorch()
    {
        torch::manual_seed(0);
        const auto logProbs = torch::log_softmax(torch::randn({30, 3, 8}), -1);
        const auto targets = torch::tensor({3, 4, 4, 5, 3, 5, 6, 0, 7, 7, 7, 7}, torch::kLong).view({3, 4});
        const auto inputLengths = torch::tensor({30, 25, 20}, torch::kLong);
        const auto targetLengths = torch::tensor({4, 3, 4}, torch::kLong);
        const double ours = ctcLossFinite(logProbs, targets, inputLengths, targetLengths).item<double>();
        const double theirs = torch::nn::functional::ctc_loss(logProbs, targets, inputLengths, targetLengths).item<double>();
        QVERIFY2(std::abs(ours - theirs) < 1e-4, (std::to_string(ours) + " vs " + std::to_string(theirs)).c_str());
    }
};

QTEST_GUILESS_MAIN(TestTrainer)
#include "test_trainer.moc"
