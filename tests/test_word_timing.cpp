// DTW, CTC forced alignment and the attention-to-timing pipeline on matrices whose answer is known.
#include "timing/CharacterWordSpans.h"
#include "timing/CtcAlignment.h"
#include "timing/Dtw.h"
#include "timing/WordTiming.h"

#include <QtTest>

#include <cmath>

using namespace attnscope;

class TestWordTiming : public QObject {
    Q_OBJECT
private slots:
    void ctcPathFindsWhereEachLabelIsHeard()
    {
        // 10 frames over blank (0) and labels 1, 2: the head hears 1 at frame 2 and 2 at frames 6-7, blank
        // elsewhere. The text "1 2 2" needs a blank between its repeated 2s.
        const int frames = 10, vocab = 3;
        auto logProbs = [&](const std::vector<int>& heard) {
            std::vector<float> lp(static_cast<size_t>(frames) * vocab, std::log(0.05f));
            for (int t = 0; t < frames; ++t) lp[static_cast<size_t>(t) * vocab + heard[static_cast<size_t>(t)]] = std::log(0.9f);
            return lp;
        };
        const auto lp = logProbs({0, 0, 1, 0, 0, 0, 2, 2, 0, 0});
        const auto spans = ctcLabelFrames(lp.data(), frames, vocab, {1, 2}, 0);
        QCOMPARE(spans.size(), size_t(2));
        QCOMPARE(spans[0], std::make_pair(2, 3));
        QCOMPARE(spans[1], std::make_pair(6, 8));
        const auto repeated = logProbs({0, 1, 0, 2, 0, 2, 0, 0, 0, 0});
        const auto again = ctcLabelFrames(repeated.data(), frames, vocab, {1, 2, 2}, 0);
        QCOMPARE(again.size(), size_t(3));
        QCOMPARE(again[1], std::make_pair(3, 4));
        QCOMPARE(again[2], std::make_pair(5, 6));
        // Too few frames to spell the text (a repeat needs a blank between): no path.
        QVERIFY(ctcLabelFrames(lp.data(), 2, vocab, {2, 2}, 0).empty());
        QVERIFY(ctcLabelFrames(lp.data(), frames, vocab, {}, 0).empty());
    }

    void diagonalCostGivesDiagonalPath()
    {
        const int n = 12;
        std::vector<float> cost(n * n, 1.0f);
        for (int i = 0; i < n; ++i)
            cost[i * n + i] = 0.0f;
        const auto path = dtwPath(cost, n, n);
        QCOMPARE(static_cast<int>(path.size()), n);
        for (int i = 0; i < n; ++i)
            QCOMPARE(path[i], std::make_pair(i, i));
    }

    void pathIsMonotoneAndComplete()
    {
        const int rows = 5, cols = 40;
        std::vector<float> cost(rows * cols);
        for (int r = 0; r < rows; ++r)
            for (int c = 0; c < cols; ++c)
                cost[r * cols + c] = std::abs(c - 8.0f * r - 4.0f);
        const auto path = dtwPath(cost, rows, cols);
        QCOMPARE(path.front(), std::make_pair(0, 0));
        QCOMPARE(path.back(), std::make_pair(rows - 1, cols - 1));
        for (size_t i = 1; i < path.size(); ++i) {
            const int dr = path[i].first - path[i - 1].first, dc = path[i].second - path[i - 1].second;
            QVERIFY(dr >= 0 && dc >= 0 && dr <= 1 && dc <= 1 && dr + dc >= 1);
        }
    }

    void tiesAdvanceTime()
    {
        // All costs equal: in the backtrace every tie moves along time, so the last token row takes
        // the remaining frames and the earlier tokens each get one (Whisper's dtw_cpu does the same).
        const auto path = dtwPath(std::vector<float>(3 * 4, 0.0f), 3, 4);
        const std::vector<std::pair<int, int>> expected = {{0, 0}, {1, 0}, {2, 0}, {2, 1}, {2, 2}, {2, 3}};
        QCOMPARE(path, expected);
    }

    void medianFilter()
    {
        std::vector<float> row = {0, 0, 0, 9, 0, 0, 0, 1, 1, 1, 1, 1};
        const auto out = medianFilterRows(row, 1, static_cast<int>(row.size()), 7);
        QCOMPARE(out[3], 0.0f);  // a lone spike disappears
        QCOMPARE(out[10], 1.0f);
    }

    void attentionToTokenStarts()
    {
        // Three tokens attending to frames 10, 30 and 50 of 100 real frames (1500 in the window).
        const int tokens = 3, total = 1500, real = 100;
        std::vector<float> head(tokens * total, 0.0f);
        const int centre[] = {10, 30, 50};
        for (int t = 0; t < tokens; ++t) {
            float sum = 0;
            for (int f = 0; f < total; ++f) {
                const float w = std::exp(-0.02f * (f - centre[t]) * (f - centre[t])) + 1e-4f;
                head[t * total + f] = w;
                sum += w;
            }
            for (int f = 0; f < total; ++f)
                head[t * total + f] /= sum;
        }
        const auto a = alignTokensToFrames({head, head}, tokens, total, real);
        QCOMPARE(static_cast<int>(a.matrix.size()), tokens * real);
        QCOMPARE(a.startFrame[0], 0);
        // Each token starts between its predecessor's focus and its own.
        QVERIFY2(a.startFrame[1] > 10 && a.startFrame[1] <= 30, qPrintable(QString::number(a.startFrame[1])));
        QVERIFY2(a.startFrame[2] > 30 && a.startFrame[2] <= 50, qPrintable(QString::number(a.startFrame[2])));
        QCOMPARE(a.endFrame[2], real);
        QCOMPARE(a.endFrame[0], a.startFrame[1]);
        QCOMPARE(a.peakFrame, (std::vector<int>{10, 30, 50}));
    }

    void edgeRowsStartAtTheirPeaks()
    {
        // A character decoder's rows: two characters focused on frames 20 and 30, end of text on 45, of
        // 60 real frames; frames 0-15 are silence nobody attends to in particular.
        const int tokens = 3, frames = 60;
        const int centre[] = {20, 30, 45};
        std::vector<float> head(tokens * frames);
        for (int t = 0; t < tokens; ++t) {
            float sum = 0;
            for (int f = 0; f < frames; ++f) sum += head[t * frames + f] = std::exp(-0.05f * (f - centre[t]) * (f - centre[t])) + 1e-3f;
            for (int f = 0; f < frames; ++f) head[t * frames + f] /= sum;
        }
        auto a = alignTokensToFrames({head}, tokens, frames, frames, 3);
        QCOMPARE(a.startFrame[0], 0);  // DTW gives the first row the leading silence
        const int secondStart = a.startFrame[1];
        moveEdgeRowStarts(a);
        QCOMPARE(a.startFrame[0], 20);
        QCOMPARE(a.startFrame[1], secondStart);
        QCOMPARE(a.startFrame[2], 45);
        QCOMPARE(a.endFrame[1], 45);
        QCOMPARE(a.endFrame[2], frames);

        // The first row never starts after the second; the end of text never before the last character.
        a.peakFrame = {50, 30, 5};
        moveEdgeRowStarts(a);
        QCOMPARE(a.startFrame[0], a.endFrame[0]);
        QCOMPARE(a.startFrame[2], a.startFrame[1]);
        // A speech start from elsewhere (the built-in model's CTC head) wins over the peak; characters
        // that DTW started in the silence before it all start with the speech.
        a.peakFrame = {20, 30, 45};
        a.startFrame = {0, 25, 40};
        a.endFrame = {25, 40, frames};
        moveEdgeRowStarts(a, 12);
        QCOMPARE(a.startFrame, (std::vector<int>{12, 25, 45}));
        a.startFrame = {0, 0, 40};
        moveEdgeRowStarts(a, 33);
        QCOMPARE(a.startFrame, (std::vector<int>{33, 33, 45}));
        QCOMPARE(a.endFrame, (std::vector<int>{33, 45, frames}));
        // A speech end from the CTC head caps the end of text's start (its peak drifts into a long
        // trailing silence), and no character starts in the silence after it either.
        a.peakFrame = {20, 30, 57};
        a.startFrame = {12, 25, 40};
        moveEdgeRowStarts(a, 12, 48);
        QCOMPARE(a.startFrame, (std::vector<int>{12, 25, 48}));
        QCOMPARE(a.endFrame[1], 48);
        moveEdgeRowStarts(a, 12, 20);
        QCOMPARE(a.startFrame, (std::vector<int>{12, 19, 20}));
        QCOMPARE(a.endFrame, (std::vector<int>{19, 20, frames}));
        a.startFrame = {12, 25, 40};
        moveEdgeRowStarts(a, 12, 59);
        QCOMPARE(a.startFrame[2], 57);
        // A lone end-of-text row (no text) keeps the whole window.
        auto empty = alignTokensToFrames({std::vector<float>(frames, 1.0f / frames)}, 1, frames, frames, 3);
        moveEdgeRowStarts(empty);
        QCOMPARE(empty.startFrame[0], 0);
    }

    void speechSpanSkipsLoneSpikes()
    {
        // Blank posteriors of a window: a lone non-blank spike on frame 0 (what a CTC head can put
        // there after a second of silence), silence, speech on frames 25-40 with blank frames between
        // its characters, silence.
        std::vector<float> blank(60, 1.0f);
        blank[0] = 0.47f;
        for (int i : {25, 26, 29, 33, 34, 38, 40}) blank[i] = 0.1f;
        QCOMPARE(speechSpan(blank.data(), 60), std::make_pair(25, 41));
        // The same lone spike after the speech does not count either.
        blank[55] = 0.2f;
        QCOMPARE(speechSpan(blank.data(), 60), std::make_pair(25, 41));
        // Speech that begins on the first frame still begins there.
        blank[1] = 0.3f;
        QCOMPARE(speechSpan(blank.data(), 60).first, 0);
        // A window whose only speech is lone frames keeps them; one with none has no span.
        std::vector<float> sparse(60, 1.0f);
        sparse[10] = sparse[30] = 0.4f;
        QCOMPARE(speechSpan(sparse.data(), 60), std::make_pair(10, 31));
        QCOMPARE(speechSpan(std::vector<float>(60, 0.9f).data(), 60), std::make_pair(-1, -1));
    }

    // "ab cd", then end of text: a 0.1-0.2, b 0.2-spaceStart, the space, c spaceEnd-0.8, d 0.8-0.9.
    static std::vector<Token> twoWordTokens(double spaceStart, double spaceEnd)
    {
        std::vector<Token> tokens(6);
        const char* text[] = {"a", "b", " ", "c", "d", "<|endoftext|>"};
        const double times[] = {0.1, 0.2, spaceStart, spaceEnd, 0.8, 0.9, 1.0};
        for (int i = 0; i < 6; ++i) {
            tokens[i].text = text[i];
            tokens[i].t0 = times[i];
            tokens[i].t1 = times[i + 1];
        }
        tokens[5].special = true;
        return tokens;
    }

    static std::vector<Word> twoWords()
    {
        std::vector<Word> words(2);
        words[0].firstToken = 0;
        words[1].firstToken = 3;
        words[0].tokenCount = words[1].tokenCount = 2;
        return words;
    }

    void characterWordsMeetInTheMiddleOfTheirSpace()
    {
        auto tokens = twoWordTokens(0.4, 0.6);
        auto words = twoWords();
        spanCharacterWords(tokens, words);
        QCOMPARE(words[0].t0, 0.1);
        QCOMPARE(words[0].t1, 0.5);
        QCOMPARE(words[1].t0, 0.5);
        QCOMPARE(words[1].t1, 0.9);
        // A space in another window (windows are cut in silence) is not a gap between these words.
        tokens[2].window = 1;
        tokens[3].window = tokens[4].window = tokens[5].window = 1;
        spanCharacterWords(tokens, words);
        QCOMPARE(words[0].t1, 0.4);
        QCOMPARE(words[1].t0, 0.5);
    }

    void characterWordsStopAtALongSpace()
    {
        // A space longer than the shortest pause is silence the words do not share.
        auto tokens = twoWordTokens(0.4, 0.72);
        auto words = twoWords();
        spanCharacterWords(tokens, words);
        QCOMPARE(words[0].t1, 0.4);
        QCOMPARE(words[1].t0, 0.72);
        // One of exactly the shortest pause is still their shared edge.
        tokens = twoWordTokens(0.4, 0.4 + kPauseSpaceSeconds);
        spanCharacterWords(tokens, words);
        QCOMPARE(words[0].t1, words[1].t0);
        QVERIFY(qAbs(words[0].t1 - (0.4 + kPauseSpaceSeconds / 2)) < 1e-9);
    }
};

QTEST_GUILESS_MAIN(TestWordTiming)
#include "test_word_timing.moc"
