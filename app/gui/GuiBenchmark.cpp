#include "GuiBenchmark.h"

#include "AttentionPane.h"
#include "audio/AudioFile.h"
#include "engine/ComputeThreads.h"
#include "GuiHeartbeat.h"
#include "MainWindow.h"
#include "SpectrogramPane.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QEventLoop>
#include <QTemporaryDir>
#include <QTimer>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>

namespace attnscope {
namespace {

// A transcript shaped like a long Whisper window: `tokens` rows over `frames` encoder frames, one
// decoder layer of one head (drawing cost depends on rows x columns, not on the model).
Transcript syntheticTranscript(int tokens, int frames, double frameSeconds)
{
    Transcript t;
    t.model = {"benchmark", "whisper", "", 1, 1, {{0, 0}}, frameSeconds};
    t.audioDuration = frames * frameSeconds;
    WindowAttention w;
    w.frames = w.totalFrames = frames;
    w.tokenCount = tokens;
    w.layers = w.heads = 1;
    std::vector<float> weights(static_cast<size_t>(tokens) * frames);
    std::mt19937 rng(1);
    std::uniform_real_distribution<float> u(0.0f, 1.0f);
    for (int r = 0; r < tokens; ++r) {
        float sum = 0;
        for (int f = 0; f < frames; ++f)
            sum += weights[static_cast<size_t>(r) * frames + f] =
                u(rng) * 0.1f + std::exp(-std::pow((f - r * frames / tokens) / 8.0f, 2.0f));
        for (int f = 0; f < frames; ++f)
            weights[static_cast<size_t>(r) * frames + f] /= sum;
        t.tokens.push_back({r, "tok", 1.0f, r * t.audioDuration / tokens, (r + 1) * t.audioDuration / tokens, false, 0});
        w.path.emplace_back(r, r * frames / tokens);
    }
    w.setWeights(weights.data(), weights.size());
    w.alignment = std::move(weights);
    t.windows.push_back(std::move(w));
    return t;
}

template <typename F>
double medianMs(int runs, F&& f)
{
    std::vector<double> ms;
    for (int i = 0; i < runs; ++i) {
        QElapsedTimer clock;
        clock.start();
        f();
        ms.push_back(clock.nsecsElapsed() / 1e6);
    }
    std::sort(ms.begin(), ms.end());
    return ms[ms.size() / 2];
}

}  // namespace

int runGuiBenchmark(const QString& model, const QString& audio)
{
    std::printf("| measurement | result | goal |\n|---|---|---|\n");
    MainWindow window;
    window.resize(1400, 900);
    window.show();
    QApplication::processEvents();

    // 1. Heatmap: a full repaint of the pane (the tile image is built once per selection).
    {
        Audio silence;
        silence.samples.assign(static_cast<size_t>(30 * kSampleRate), 0.0f);
        window.document()->setAudio(silence);
        QElapsedTimer build;
        build.start();
        window.document()->setTranscript(syntheticTranscript(200, 1500, 0.02));
        const double buildMs = build.nsecsElapsed() / 1e6;
        AttentionPane* pane = window.attentionPane();
        const double redraw = medianMs(50, [&] { pane->repaint(); });
        window.viewManager()->zoom(4.0, 10.0);
        const double zoomed = medianMs(50, [&] {
            window.viewManager()->scrollBy(0.05);
            pane->repaint();
        });
        std::printf("| heatmap redraw, 200 tokens x 1500 frames, %dx%d px (median of 50) | %.2f ms | <= 16 ms |\n",
                    pane->width(), pane->height(), redraw);
        std::printf("| heatmap redraw while scrolling at 4x zoom (median of 50) | %.2f ms | <= 16 ms |\n", zoomed);
        std::printf("| heatmap image rebuild on a new transcript or selection | %.1f ms | once per change |\n", buildMs);
    }

    // 2. A 10-minute file: open (decode, STFT) until the spectrogram pane has painted it.
    {
        QTemporaryDir dir;
        const QString path = dir.filePath("ten-minutes.wav");
        std::vector<float> samples(static_cast<size_t>(600 * kSampleRate));
        std::mt19937 rng(2);
        std::normal_distribution<float> noise(0.0f, 0.05f);
        for (size_t i = 0; i < samples.size(); ++i)
            samples[i] = 0.3f * std::sin(2 * M_PI * (200 + (i / 16000) % 50 * 20) * i / 16000.0) + noise(rng);
        saveWav(path.toStdString(), samples);
        QElapsedTimer clock;
        clock.start();
        window.openAudio(path);
        window.spectrogramPane()->repaint();
        const double openMs = clock.nsecsElapsed() / 1e6;
        const double scroll = medianMs(50, [&] {
            window.viewManager()->scrollBy(1.0);
            window.spectrogramPane()->repaint();
        });
        std::printf("| open a 10-minute WAV until the spectrogram is drawn | %.0f ms | (no goal; measured) |\n", openMs);
        std::printf("| spectrogram redraw while scrolling the 10-minute file (median of 50) | %.2f ms | <= 16 ms |\n", scroll);
    }

    // 3. The longest GUI-thread stall while the recognizer runs on its worker thread.
    if (!audio.isEmpty()) {
        window.setModelPath(model, false);
        if (!window.openAudio(audio))
            return 3;
        GuiHeartbeat heartbeat;
        QEventLoop loop;
        bool ok = false;
        double runSeconds = 0;
        QElapsedTimer run;
        QObject::connect(&window, &MainWindow::transcriptionDone, &loop, [&](bool success) {
            ok = success;
            runSeconds = run.nsecsElapsed() / 1e9;
            loop.quit();
        });
        run.start();
        heartbeat.start();
        window.transcribe();
        loop.exec();
        heartbeat.stop();
        if (!ok)
            return 1;
        // The stall includes redrawing every pane with the new transcript, on the GUI thread.
        std::printf("| longest gap between 5 ms GUI heartbeats during a transcription (%s, %s, %.1f s run, %d threads) | %.1f ms | <= 50 ms |\n",
                    qPrintable(model), qPrintable(QFileInfo(audio).fileName()), runSeconds, computeThreads(), heartbeat.longestMs());
    }
    return 0;
}

}  // namespace attnscope
