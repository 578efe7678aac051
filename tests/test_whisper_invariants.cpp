// Properties the Whisper runtime must have whatever its weights: random-weight models built from real
// shapes (and, with ../shared, the real tiny.en vocabulary) make them checkable without a checkpoint. Over
// 500 lines because each property needs its own model shape or run; they share the models made once.
#include "audio/AudioFile.h"
#include "base/Error.h"
#include "dsp/LogMel.h"
#include "dsp/VoiceActivity.h"
#include "engine/ComputeThreads.h"
#include "model/whisper/EncoderAttention.h"
#include "model/whisper/GgmlQuant.h"
#include "model/whisper/GgmlWriter.h"
#include "model/whisper/WhisperRecognizerImpl.h"
#include "support/CancelTiming.h"
#include "support/TestSupport.h"

#include <QTemporaryDir>
#include <QtTest>


using namespace attnscope;

class TestWhisperInvariants : public QObject {
    Q_OBJECT
    QTemporaryDir dir;
    std::string f16Path, f32Path;
    Audio speech;
    std::unique_ptr<WhisperRecognizer> recognizer;

    torch::Tensor features(WhisperRecognizer& r, const Audio& a)
    {
        auto& m = r.impl();
        return m.encode(melWindow(logMelWithSilencePadding(a.samples, m.melFilters), 0));
    }

private slots:
    void initTestCase()
    {
        f16Path = test::makeWhisperFile(dir.path(), "ggml-f16.bin", "test", true, 21);
        f32Path = test::makeWhisperFile(dir.path(), "ggml-f32.bin", "test", false, 21);
        const QString wav = dir.filePath("speech.wav");
        QVERIFY2(test::synthesizeSpeech("Attention shows where the model listens while it writes each word.", wav),
                 "espeak-ng is needed");
        speech = loadAudioFile(wav.toStdString());
        recognizer = std::make_unique<WhisperRecognizer>(f16Path);
    }

    void kvCacheMatchesFullRecompute()
    {
        torch::InferenceMode guard;
        auto& m = recognizer->impl();
        const auto feats = features(*recognizer, speech);
        const std::vector<int64_t> ids = {m.vocab->sot(), m.vocab->noTimestamps(), 400, 1000, 2000, 3000, 4000, 5000, 6000, 7000};
        // All at once.
        DecoderState full = m.model->decoder->start(feats, 1);
        const auto all = m.model->decoder->forward(torch::tensor(ids).unsqueeze(0), full);
        // One token at a time through the cache, by the fused step decoding uses.
        QVERIFY(m.model->decoder->fastStep || !DecoderStep::supported());
        DecoderState inc = m.model->decoder->start(feats, 1);
        std::vector<float> cached(m.vocab->size());
        for (size_t i = 0; i < ids.size(); ++i) {
            const auto h = m.model->decoder->forwardStep({ids[i]}, inc);
            const auto ref = all[0][static_cast<int64_t>(i)];
            QVERIFY2(torch::allclose(h[0], ref, 1e-4, 1e-4), qPrintable(QString("hidden state differs at step %1").arg(i)));
            // The cross-attention weights the step would hand out match the batched pass too.
            m.projection->logits(h.data_ptr<float>(), 1, cached.data());
            const auto full = m.projection->logits(ref.unsqueeze(0)).contiguous();
            const auto cachedT = torch::from_blob(cached.data(), {m.vocab->size()});
            QVERIFY2(torch::allclose(cachedT, full[0], 1e-3, 1e-3), qPrintable(QString("logits differ at step %1").arg(i)));
            QCOMPARE(cachedT.argmax().item<int64_t>(), full[0].argmax().item<int64_t>());
        }
    }

    void f16AndF32GiveTheSameTokens()
    {
        WhisperRecognizer f32(f32Path);
        const auto a = recognizer->transcribe(speech, {});
        const auto b = f32.transcribe(speech, {});
        QVERIFY(!a.tokens.empty());
        QCOMPARE(a.tokens.size(), b.tokens.size());
        for (size_t i = 0; i < a.tokens.size(); ++i)
            QCOMPARE(a.tokens[i].id, b.tokens[i].id);
        QCOMPARE(a.text, b.text);
    }

    void beamOfOneEqualsGreedy()
    {
        auto& m = recognizer->impl();
        const auto feats = features(*recognizer, speech);
        for (bool timestamps : {true, false}) {
            TranscribeOptions o;
            o.whisper.timestamps = timestamps;
            o.decoding.beamSize = 1;
            auto prompt = m.sotSequence(-1, "transcribe");
            if (!timestamps)
                prompt.push_back(m.vocab->noTimestamps());
            const auto g = m.decoder->greedy(feats, prompt, o, 100, nullptr);
            const auto b = m.decoder->beam(feats, prompt, o, 100, nullptr);
            QVERIFY(!g.tokens.empty());
            QCOMPARE(b.tokens, g.tokens);
            // Log-probabilities come from screened logits (StepLogits): rows that cannot win stay int8
            // approximations in the normaliser, which moves each step's log-probability by ~1e-3 (at most
            // ~1e-2), differently for a search keeping one or two candidates.
            QVERIFY2(std::abs(b.sumLogprob - g.sumLogprob) < 1e-2 * (g.tokens.size() + 1),
                     qPrintable(QString("beam %1, greedy %2").arg(b.sumLogprob).arg(g.sumLogprob)));
            // Beam search with five beams finds a sequence at least as likely per token.
            o.decoding.beamSize = 5;
            const auto five = m.decoder->beam(feats, prompt, o, 100, nullptr);
            QVERIFY(!five.tokens.empty());
        }
    }

    void fusedStepMatchesLibTorchForWhisperHeadWidth_data()
    {
        QTest::addColumn<int>("frames");
        QTest::newRow("a 30 s window") << 1500;
        QTest::newRow("ragged: 1499 frames") << 1499;
        QTest::newRow("fewer frames than one block") << 7;
    }

    void fusedStepMatchesLibTorchForWhisperHeadWidth()
    {
        // Every Whisper size has 64-wide heads, and the fused step has its own cross-attention kernel for
        // them (the "test" shape above has 32-wide heads). One layer of that width, random weights, any
        // frame count: the step's hidden state and cross-attention weights equal LibTorch's.
        QFETCH(int, frames);
        torch::InferenceMode guard;
        torch::manual_seed(frames);
        WhisperHParams hp;
        hp.nVocab = 300;
        hp.nTextState = hp.nAudioState = 128;
        hp.nTextHead = 2;
        hp.nTextLayer = 1;
        TextDecoder decoder(hp);
        for (auto& p : decoder->parameters())
            p.normal_(0.0, 0.2);
        DecoderStep step(decoder->stepWeights());
        const auto feats = torch::randn({1, frames, 128});
        DecoderState fused = decoder->start(feats, 1), reference = decoder->start(feats, 1);
        for (int64_t id : {5, 77, 140, 299}) {
            std::vector<torch::Tensor> fusedWeights, referenceWeights;
            const auto h = step.run({id}, fused, &fusedWeights);
            const auto ref = decoder->forward(torch::tensor({id}).view({1, 1}), reference, &referenceWeights).select(1, -1);
            QVERIFY2(torch::allclose(h, ref, 1e-4, 1e-4),
                     qPrintable(QString("hidden state off by %1").arg((h - ref).abs().max().item<float>())));
            QCOMPARE(fusedWeights.size(), referenceWeights.size());
            const auto a = fusedWeights[0].flatten(), b = referenceWeights[0].flatten();
            QCOMPARE(a.numel(), int64_t(2) * frames);
            QVERIFY2(torch::allclose(a, b, 1e-4, 1e-6),
                     qPrintable(QString("weights off by %1").arg((a - b).abs().max().item<float>())));
            QVERIFY(std::abs(a.sum().item<double>() - 2.0) < 1e-4);  // each head's row sums to 1
        }
    }

    void encoderAttentionEqualsSoftmaxOfScaledScoresTimesValues_data()
    {
        QTest::addColumn<QList<int>>("shape");  // batch, heads, queries, keys, head width, key batch
        QTest::newRow("tiny.en window") << QList<int>{1, 6, 1500, 1500, 64, 1};
        QTest::newRow("ragged: 77 queries, 133 keys") << QList<int>{2, 3, 77, 133, 64, 2};
        QTest::newRow("fewer queries than one tile, shared keys") << QList<int>{3, 2, 5, 40, 32, 1};
        QTest::newRow("width 48: LibTorch tiles") << QList<int>{1, 2, 130, 50, 48, 1};
    }

    void encoderAttentionEqualsSoftmaxOfScaledScoresTimesValues()
    {
        // The encoder's fused kernel against the definition, softmax(QK^T/sqrt(d_k))V, written in LibTorch.
        QFETCH(QList<int>, shape);
        torch::manual_seed(11);
        const int64_t b = shape[0], h = shape[1], t = shape[2], s = shape[3], d = shape[4], kb = shape[5];
        const auto q = torch::randn({b, h, t, d}) * 2, k = torch::randn({kb, h, s, d}), v = torch::randn({kb, h, s, d});
        const double scale = 1.0 / std::sqrt(static_cast<double>(d));
        const auto expected = torch::matmul(torch::softmax(torch::matmul(q, k.transpose(-1, -2)) * scale, -1), v);
        const auto got = encoderAttention(q, k, v, scale);
        QCOMPARE(got.sizes().vec(), expected.sizes().vec());
        const float err = (got - expected).abs().max().item<float>();
        QVERIFY2(err < 1e-5f, qPrintable(QString("max abs error %1").arg(err)));
    }

    void screenedLogitsStayWithinTheirBound()
    {
        // The int8 screen promises |exact - approx| <= bound for every row and any input, including
        // inputs built to be awkward: constant, zero, one huge entry, and one aligned with a row. It
        // holds for an f16 table and for tables kept in quantized blocks, whose rows multiply the input
        // rounded to 16 bits per block.
        torch::manual_seed(5);
        auto embedding = torch::randn({4099, 384}) * 0.05;
        embedding[7] *= 40.0;  // one row with a much larger range than the rest
        std::vector<std::pair<std::string, VocabProjection>> tables;
        tables.emplace_back("f16", VocabProjection(embedding.to(torch::kHalf)));
        for (GgmlType type : {GgmlType::Q4_0, GgmlType::Q5_1, GgmlType::Q8_0}) {
            const auto bytes = ggmlQuantize(type, embedding.contiguous().data_ptr<float>(), embedding.numel());
            GgmlTensor t{type, {4099, 384}, torch::tensor(std::vector<int64_t>(bytes.begin(), bytes.end())).to(torch::kUInt8)};
            tables.emplace_back(ggmlTypeName(type), VocabProjection(t));
            QCOMPARE(tables.back().second.table().type, ggmlRowDot(type) ? type : GgmlType::F16);
        }
        auto spike = torch::full({384}, 1e-3f);
        spike[100] = 1e3f;
        const std::vector<torch::Tensor> inputs = {torch::randn({384}) * 3, torch::ones({384}), torch::zeros({384}),
                                                   spike, embedding[17] * 50, -embedding[7]};
        for (const auto& [name, p] : tables) {
            if (!p.screens())
                QSKIP("the int8 screen needs AVX2, FMA and F16C");
            const int64_t v = p.vocabSize();
            std::vector<float> approx(v), bound(v), exact(v);
            for (size_t k = 0; k < inputs.size(); ++k) {
                const auto x = inputs[k].contiguous();
                p.screen(x.data_ptr<float>(), 1, approx.data(), bound.data());
                p.logits(x.data_ptr<float>(), 1, exact.data());
                for (int64_t r = 0; r < v; ++r)
                    QVERIFY2(std::abs(exact[r] - approx[r]) <= bound[r],
                             qPrintable(QString("%1, input %2, row %3: exact %4, approx %5, bound %6")
                                            .arg(name.c_str()).arg(k).arg(r).arg(exact[r]).arg(approx[r]).arg(bound[r])));
                // The exact rows a step asks for are the same numbers.
                std::vector<float> some(3), range(5);
                p.exactRows(x.data_ptr<float>(), {7, 17, 4098}, some.data());
                QCOMPARE(some, (std::vector<float>{exact[7], exact[17], exact[4098]}));
                p.exactRange(x.data_ptr<float>(), 10, 15, range.data());
                QCOMPARE(range, std::vector<float>(exact.begin() + 10, exact.begin() + 15));
            }
            // The batched path (several vectors at once) gives the same numbers as one at a time.
            const auto two = torch::stack({inputs[0], inputs[4]}).contiguous();
            std::vector<float> approx2(2 * v), bound2(2 * v), exact2(2 * v);
            p.screen(two.data_ptr<float>(), 2, approx2.data(), bound2.data());
            p.logits(two.data_ptr<float>(), 2, exact2.data());
            p.screen(inputs[4].contiguous().data_ptr<float>(), 1, approx.data(), bound.data());
            p.logits(inputs[4].contiguous().data_ptr<float>(), 1, exact.data());
            for (int64_t r = 0; r < v; ++r) {
                QCOMPARE(approx2[v + r], approx[r]);
                QCOMPARE(bound2[v + r], bound[r]);
                QCOMPARE(exact2[v + r], exact[r]);
            }
        }
    }

    void screenedStepsChooseWhatExactLogitsWould()
    {
        // Greedy and beam steps see only a few exact logits; what they choose must not change.
        auto& m = recognizer->impl();
        if (!m.projection->screens())
            QSKIP("the int8 screen needs AVX2, FMA and F16C");
        const int64_t v = m.vocab->size(), d = m.projection->dim();
        const int tb = m.vocab->timestampBegin();
        torch::manual_seed(11);
        StepLogits step = m.decoder->stepLogits();
        std::vector<float> screened, exact(v);
        int64_t exactRows = 0, steps = 0;
        const std::vector<std::vector<int>> histories = {{}, {tb}, {tb, 400}, {tb, 400, tb + 20}, {tb, 400, tb + 20, tb + 20}};
        for (int trial = 0; trial < 40; ++trial)
            for (bool timestamps : {true, false})
                for (const auto& sampled : histories) {
                    TranscribeOptions o;
                    o.whisper.timestamps = timestamps;
                    const auto h = (torch::randn({d}) * (0.5 + trial % 4)).contiguous();
                    const auto c = m.decoder->chooseGreedy(step, h.data_ptr<float>(), sampled, o, screened);
                    m.projection->logits(h.data_ptr<float>(), 1, exact.data());
                    m.decoder->applyMasks(exact.data(), sampled, o);
                    const double maskedLse = StepLogits::logSumExp(exact.data(), v);
                    m.decoder->preferTimestamps(exact.data(), o);
                    const int64_t best = std::max_element(exact.begin(), exact.end()) - exact.begin();
                    const int expected = exact[best] == -std::numeric_limits<float>::infinity() ? m.vocab->eot() : int(best);
                    QCOMPARE(c.token, expected);
                    // Log-probabilities: the normaliser includes rows left as int8 approximations. With
                    // peaked logits (large |h|) many of them carry mass: up to ~1e-2 off, measured here.
                    const double exactLogprob = exact[expected] - StepLogits::logSumExp(exact.data(), v);
                    QVERIFY2(std::abs(c.logprob - exactLogprob) < 2e-2,
                             qPrintable(QString("log-probability %1, exact %2").arg(c.logprob).arg(exactLogprob)));
                    // p is whisper.cpp's (after the masks, before the timestamp rule): its normaliser
                    // includes rows left as approximations; a few percent at worst.
                    const double exactP = std::exp(exact[expected] - maskedLse);
                    QVERIFY2(std::abs(c.p - exactP) <= 5e-2 * exactP + 1e-6,
                             qPrintable(QString("p %1, exact %2 (trial %3, timestamps %4, history %5, exact rows %6)")
                                            .arg(c.p).arg(exactP).arg(trial).arg(timestamps).arg(sampled.size())
                                            .arg(step.exactRowsLastCall())));
                    // Beam search keeps the six best: they are exact and in the same order.
                    std::vector<double> lse(1);
                    step.compute(h.data_ptr<float>(), 1, 6, [&](int64_t, float* row) { m.decoder->applyMasks(row, sampled, o); },
                                 screened.data(), lse.data());
                    m.decoder->preferTimestamps(screened.data(), o);
                    std::vector<int64_t> a(v), b(v);
                    for (int64_t i = 0; i < v; ++i) a[i] = b[i] = i;
                    auto byValue = [](const std::vector<float>& x) {
                        return [&x](int64_t i, int64_t j) { return x[i] > x[j] || (x[i] == x[j] && i < j); };
                    };
                    std::partial_sort(a.begin(), a.begin() + 6, a.end(), byValue(screened));
                    std::partial_sort(b.begin(), b.begin() + 6, b.end(), byValue(exact));
                    for (int k = 0; k < 6; ++k) {
                        if (exact[b[k]] == -std::numeric_limits<float>::infinity())
                            break;
                        QCOMPARE(a[k], b[k]);
                        QCOMPARE(screened[a[k]], exact[b[k]]);
                    }
                    exactRows += step.exactRowsLastCall();
                    ++steps;
                }
        // And the screen does narrow it down: most rows are never computed exactly.
        qInfo("exact logits per beam step: %.0f of %lld", double(exactRows) / steps, static_cast<long long>(v));
        QVERIFY(exactRows / steps < v / 4);
    }

    void timestampRulesHold()
    {
        auto& m = recognizer->impl();
        TranscribeOptions o;
        const auto r = m.decoder->decode(features(*recognizer, speech), m.sotSequence(-1, "transcribe"), o, nullptr);
        const int tb = m.vocab->timestampBegin();
        QVERIFY(!r.tokens.empty());
        QVERIFY2(r.tokens[0] < m.vocab->eot() || r.tokens[0] <= tb + 50, "a window's first timestamp is at most 1.0 s");
        QVERIFY2(r.openingTimestamp >= tb && r.openingTimestamp <= tb + 50, "and so is the likeliest one at its first step");
        int last = -1;
        for (size_t i = 0; i < r.tokens.size(); ++i) {
            if (r.tokens[i] < tb)
                continue;
            QVERIFY2(r.tokens[i] >= last, "timestamps never decrease");
            last = r.tokens[i];
        }
        for (size_t i = 2; i < r.tokens.size(); ++i)
            QVERIFY2(!(r.tokens[i] >= tb && r.tokens[i - 1] >= tb && r.tokens[i - 2] >= tb), "never three timestamps in a row");
        for (int id : r.tokens)
            QVERIFY2(id < m.vocab->eot() || id >= tb, "no special tokens but timestamps");
    }

    void attentionRowsSumToOne()
    {
        const auto t = recognizer->transcribe(speech, {});
        QCOMPARE(static_cast<int>(t.windows.size()), 1);
        const auto& w = t.windows[0];
        QCOMPARE(w.layers, 2);
        QCOMPARE(w.heads, 2);
        QCOMPARE(w.totalFrames, 1500);
        QCOMPARE(w.frames, static_cast<int>(speech.samples.size() / 320));
        QCOMPARE(static_cast<int>(w.weights.size()), w.layers * w.heads * w.tokenCount * w.totalFrames);
        QCOMPARE(w.firstToken + w.tokenCount, static_cast<int>(t.tokens.size()));
        for (int l = 0; l < w.layers; ++l)
            for (int h = 0; h < w.heads; ++h)
                for (int k = 0; k < w.tokenCount; ++k) {
                    double sum = 0;
                    for (int f = 0; f < w.totalFrames; ++f)
                        sum += w.weight(l, h, k, f);
                    QVERIFY2(std::abs(sum - 1.0) < 1e-3, qPrintable(QString::number(sum)));
                }
        // Timing: DTW path covers the alignment matrix; words are ordered and inside the audio.
        QCOMPARE(w.path.front(), std::make_pair(0, 0));
        QCOMPARE(w.path.back(), std::make_pair(w.tokenCount - 1, w.frames - 1));
        double lastStart = 0;
        for (const auto& word : t.words) {
            QVERIFY(word.t0 <= word.t1);
            QVERIFY(word.t0 >= lastStart);
            QVERIFY(word.t1 <= speech.duration() + 0.021);
            lastStart = word.t0;
        }
        QVERIFY(t.tokens.back().special);  // the last row is end-of-text
    }

    void forcedAlignmentReproducesGreedyProbabilities()
    {
        auto& m = recognizer->impl();
        TranscribeOptions o;
        o.whisper.timestamps = false;
        auto prompt = m.sotSequence(-1, "transcribe");
        prompt.push_back(m.vocab->noTimestamps());
        const auto greedy = m.decoder->decode(features(*recognizer, speech), prompt, o, nullptr);
        QVERIFY(!greedy.tokens.empty());
        const auto aligned = recognizer->alignTokens(speech, greedy.tokens, o);
        QCOMPARE(aligned.tokens.size(), greedy.tokens.size() + 1);
        for (size_t i = 0; i < greedy.tokens.size(); ++i) {
            QCOMPARE(aligned.tokens[i].id, greedy.tokens[i]);
            const double a = aligned.tokens[i].p, g = greedy.stepProb[i];
            QVERIFY2(std::abs(a - g) <= 1e-3 * std::max(a, g) + 1e-7,
                     qPrintable(QString("token %1: forced %2, greedy %3").arg(i).arg(a).arg(g)));
        }
    }

    void callbacksAndThreadsBelongToOneCall()
    {
        // Speech, 30 s of quiet, speech again: at least two windows, each reported as it finishes, with
        // the call's own thread count in force during the call and the process's restored after it.
        Audio twice = speech;
        twice.samples.resize(speech.samples.size() + static_cast<size_t>(30 * kSampleRate), 0.0f);
        twice.samples.insert(twice.samples.end(), speech.samples.begin(), speech.samples.end());
        setComputeThreads(2);
        TranscribeOptions o;
        o.threads = 1;
        std::vector<size_t> reports;
        std::vector<int> threadsDuring;
        double lastProgress = 0;
        const auto t = recognizer->transcribe(twice, o,
                                              {[&](double p) { lastProgress = p; }, nullptr, [&](const Transcript& soFar) {
                                                   reports.push_back(soFar.decodeReports.size());
                                                   threadsDuring.push_back(computeThreads());
                                               }});
        QVERIFY2(t.decodeReports.size() >= 2, qPrintable(QString("%1 windows").arg(t.decodeReports.size())));
        QCOMPARE(reports.size(), t.decodeReports.size());
        for (size_t w = 0; w < reports.size(); ++w)
            QCOMPARE(reports[w], w + 1);
        QCOMPARE(lastProgress, 1.0);
        for (const int n : threadsDuring)
            QCOMPARE(n, 1);
        QCOMPARE(computeThreads(), 2);
    }

    void alignTextGivesWordsOfTheText()
    {
        const auto t = recognizer->align(speech, "attention shows where the model listens", {});
        QCOMPARE(t.text, std::string("attention shows where the model listens"));
        if (!test::sharedDir().isEmpty()) {  // the real vocabulary tokenizes real words
            QCOMPARE(static_cast<int>(t.words.size()), 6);
            QCOMPARE(t.words[0].text, std::string("attention"));
            QCOMPARE(t.words[5].text, std::string("listens"));
        }
        for (const auto& w : t.words)
            QVERIFY(w.t0 >= 0 && w.t1 <= speech.duration() + 0.021);
    }

    void wordsNeverStartInLeadingSilence()
    {
        // A second of silence before the speech: random weights time words anywhere, DTW's path starts
        // at frame 0, and still no word may start before the speech the audio shows.
        Audio padded = speech;
        padded.samples.insert(padded.samples.begin(), 16000, 0.0f);
        const auto regions = detectSpeech(padded.samples);
        QVERIFY(!regions.empty());
        QVERIFY(regions.front().t0 > 0.9);
        for (bool forced : {false, true}) {
            TranscribeOptions raw;
            raw.timing.respectPauses = false;
            auto timed = [&](const TranscribeOptions& o) {
                return forced ? recognizer->align(padded, "attention shows where the model listens", o)
                              : recognizer->transcribe(padded, o);
            };
            const Transcript attention = timed(raw), kept = timed(TranscribeOptions());
            QVERIFY(!kept.words.empty());
            QCOMPARE(kept.words.size(), attention.words.size());
            QVERIFY2(attention.words.front().t0 < regions.front().t0, "the attention alone should start in the silence");
            for (const auto& w : kept.words)
                QVERIFY2(w.t0 >= regions.front().t0 - 1e-9, qPrintable(QString::fromStdString(w.text) + " at " + QString::number(w.t0)));
        }
    }

    void cancelStopsPromptly_data()
    {
        QTest::addColumn<int>("afterMs");
        QTest::newRow("while encoding the first window") << 5;
        QTest::newRow("early") << 150;
        QTest::newRow("later") << 600;
    }
    void cancelStopsPromptly()
    {
        QFETCH(int, afterMs);
        // Long audio, base-sized layers: a run that takes seconds.
        static const std::string base = test::makeWhisperFile(dir.path(), "ggml-base.en.bin", "base.en", true, 5);
        static WhisperRecognizer big(base);
        const Audio longAudio = test::chirp(120, 1e-6);
        const auto outcome = test::cancelAfter(afterMs, [&](const std::atomic<bool>* cancel) {
            big.transcribe(longAudio, {}, {{}, cancel, {}});
        });
        QVERIFY2(!outcome.endedFirst, "the run ended before it could be cancelled");
        QVERIFY(outcome.sawCancelled);
        const qint64 ms = outcome.msToStop;
        QVERIFY2(ms <= 200, qPrintable(QString("cancel took %1 ms").arg(ms)));
    }

    void largeV3LayoutWith128Mels()
    {
        // large-v3's layout (128 mel bins, 100 languages, vocabulary 51866) at test width.
        TestModelSpec spec;
        spec.hparams = whisperShape("test");
        spec.hparams.nMels = 128;
        spec.hparams.nVocab = 51866;
        const std::string path = dir.filePath("ggml-v3layout.bin").toStdString();
        writeTestModel(path, spec);
        WhisperRecognizer v3(path);
        auto& m = v3.impl();
        QCOMPARE(m.melFilters.size(0), 128);
        QCOMPARE(m.vocab->languageCount(), 100);
        QCOMPARE(m.vocab->timestampBegin(), 50365);
        const auto t = v3.transcribe(speech, {});
        QVERIFY(!t.tokens.empty());
        QVERIFY(!t.language.empty());
        for (const auto& tok : t.tokens)
            QVERIFY(tok.id < m.vocab->eot() || tok.id == m.vocab->eot());
    }

    void explainRecomputesTheStoredAttention()
    {
        const auto t = recognizer->transcribe(speech, {});
        const int last = static_cast<int>(t.tokens.size()) - 1;
        for (const int token : {0, last})
            for (const auto& [layer, head] : {std::pair{0, 0}, std::pair{1, 1}}) {
                const auto e = recognizer->explain(speech, makeExplainRequest(t, token, layer, head));
                QCOMPARE(e.frames, t.windows[0].totalFrames);
                QCOMPARE(e.headDim, 32);  // the "test" shape: 64 wide, 2 heads
                const QString problem = test::explanationProblem(e);
                QVERIFY2(problem.isEmpty(), qPrintable(problem));
            }
        auto request = makeExplainRequest(t, 0, 0, 0);
        request.windowFrames = t.windows[0].totalFrames / 2;  // a transcript from some other model
        QVERIFY_THROWS_EXCEPTION(Error, recognizer->explain(speech, request));
    }

    void multilingualDetectsALanguage()
    {
        ATTNSCOPE_SKIP_WITHOUT_SHARED();
        TestModelSpec spec;
        spec.hparams = whisperShape("test");
        spec.headerFrom = (test::sharedDir() + "/data/whisper-vocab/for-tests-ggml-tiny.bin").toStdString();
        const std::string path = dir.filePath("ggml-multi.bin").toStdString();
        writeTestModel(path, spec);
        WhisperRecognizer multi(path);
        auto& m = multi.impl();
        const int lang = m.decoder->detectLanguage(features(multi, speech));
        QVERIFY(lang >= m.vocab->firstLanguageToken() && lang < m.vocab->firstLanguageToken() + m.vocab->languageCount());
        const auto t = multi.transcribe(speech, {});
        QCOMPARE(t.language, m.vocab->languageCode(lang));
        TranscribeOptions german;
        german.decoding.language = "de";
        QCOMPARE(multi.transcribe(speech, german).language, std::string("de"));
        // Translated text: the transcript says so, and Explain recomputes its rows from the same prompt.
        TranscribeOptions translate;
        translate.decoding.task = "translate";
        translate.whisper.temperatures = {0.0};
        const auto translated = multi.transcribe(speech, translate);
        QCOMPARE(translated.task, std::string("translate"));
        QVERIFY(translated.tokens.size() > 2);
        const auto e = multi.explain(speech, makeExplainRequest(translated, 1, 0, 0));
        QCOMPARE(test::explanationProblem(e), QString());
    }
};

QTEST_GUILESS_MAIN(TestWhisperInvariants)
#include "test_whisper_invariants.moc"
