// Word times that respect pauses (timing/PauseAwareWords) and the evaluation's count of words that start
// inside a reference pause (eval/ReferenceSet).
#include "eval/ReferenceSet.h"
#include "timing/PauseAwareWords.h"

#include <QtTest>

using namespace attnscope;

namespace {
Word word(const char* text, double t0, double t1) { return {text, t0, t1, 0.9f, 0, 1}; }
}  // namespace

class TestPauseAwareWords : public QObject {
    Q_OBJECT
private slots:
    void pausesAreTheGapsBetweenSpeech()
    {
        const auto pauses = pausesBetween({{1.0, 2.0}, {2.1, 3.0}, {4.0, 5.0}}, 6.0, 0.2);
        QCOMPARE(pauses.size(), size_t(3));  // 0-1, 3-4, 5-6; the 0.1 s gap is no pause
        QCOMPARE(pauses[0].t0, 0.0);
        QCOMPARE(pauses[1].t0, 3.0);
        QCOMPARE(pauses[2].t1, 6.0);
    }

    void wordsLeaveLeadingSilenceAndPauses()
    {
        // Speech at 1.0-2.0 and 3.0-4.0: DTW gave the first word the leading silence and let the second
        // run over the pause.
        std::vector<Word> words = {word("first", 0.0, 1.4), word("second", 1.4, 2.6), word("third", 2.6, 3.5),
                                   word("fourth", 3.5, 4.0)};
        keepWordsOutOfPauses(words, {{1.0, 2.0}, {3.0, 4.0}}, 5.0);
        QCOMPARE(words[0].t0, 1.0);
        QCOMPARE(words[0].t1, 1.4);
        QCOMPARE(words[1].t1, 2.0);  // ended in the pause: ends where it began
        QCOMPARE(words[2].t0, 3.0);  // started in the pause: starts where it ended
        QCOMPARE(words[3].t0, 3.5);
    }

    void aLongWordIsCutAtThePauseItSpans()
    {
        // Median 0.4 s; "long" runs 1.5-3.8 over the pause 2.2-3.0, with more of it before the pause.
        std::vector<Word> words = {word("a", 1.0, 1.4), word("b", 1.1, 1.5), word("long", 1.5, 3.3), word("c", 3.3, 3.7)};
        keepWordsOutOfPauses(words, {{1.0, 2.2}, {3.0, 4.0}}, 4.0);
        QCOMPARE(words[2].t0, 1.5);
        QCOMPARE(words[2].t1, 2.2);
        // Nothing detected: nothing to go by, the words stay.
        std::vector<Word> same = {word("x", 0.0, 3.0)};
        keepWordsOutOfPauses(same, {}, 4.0);
        QCOMPARE(same[0].t1, 3.0);
    }

    void aWordInSilenceMovesToWhereTheCtcHeadHearsIt()
    {
        // Speech (as the detector holds it: 0.2 s past the sound, 0.04 s before) 0.5-1.75 and 2.96-4.0,
        // so silence 1.55-3.0. DTW put "this" at the pause's start, squeezed against "sound"; the CTC
        // head hears it at 3.0-3.2, and "muscle", which DTW started at 3.0, gives way.
        std::vector<Word> words = {word("sound", 1.0, 1.5), word("this", 1.5, 1.7), word("muscle", 3.0, 3.6)};
        const std::vector<SpeechRegion> speech = {{0.5, 1.75}, {2.96, 4.0}};
        moveWordsToWhereTheyAreHeard(words, 0, {{1.0, 1.4}, {3.0, 3.2}, {3.3, 3.5}}, speech);
        QCOMPARE(words[0].t0, 1.0);  // in speech: it stays, wherever the head hears it
        QCOMPARE(words[0].t1, 1.5);
        QCOMPARE(words[1].t0, 3.0);
        QCOMPARE(words[1].t1, 3.2);
        QCOMPARE(words[2].t0, 3.2);
        QCOMPARE(words[2].t1, 3.6);
        // Where the head hears it in silence too, or hears nothing, or the words are not those heard,
        // the attention's times stay.
        std::vector<Word> stay = {word("sound", 1.0, 1.5), word("this", 1.5, 1.7)};
        moveWordsToWhereTheyAreHeard(stay, 0, {{1.0, 1.4}, {2.0, 2.2}}, speech);
        QCOMPARE(stay[1].t0, 1.5);
        moveWordsToWhereTheyAreHeard(stay, 0, {{1.0, 1.4}}, speech);
        moveWordsToWhereTheyAreHeard(stay, 0, {{1.0, 1.4}, {3.0, 3.2}}, {});
        QCOMPARE(stay[1].t0, 1.5);
        // Only the words from `first` on are the window's.
        std::vector<Word> later = {word("before", 0.0, 0.4), word("this", 1.5, 1.7)};
        moveWordsToWhereTheyAreHeard(later, 1, {{3.0, 3.2}}, speech);
        QCOMPARE(later[0].t1, 0.4);
        QCOMPARE(later[1].t0, 3.0);
    }

    void aWordWhollyInAPauseMovesToTheSpeechAfterIt()
    {
        std::vector<Word> words = {word("ghost", 0.2, 0.6), word("real", 1.0, 1.5), word("tail", 2.5, 2.8)};
        keepWordsOutOfPauses(words, {{1.0, 2.0}}, 3.0);
        QCOMPARE(words[0].t0, 1.0);
        QCOMPARE(words[0].t1, 1.0);
        QCOMPARE(words[2].t0, 2.0);  // the trailing pause: onto the speech before it
        QCOMPARE(words[2].t1, 2.0);
        QCOMPARE(wordsStartingInPauses({{"real", 1.0, 2.0}}, words, 3.0), 0);
    }

    void wordsBesideAPauseReachIt()
    {
        // Speech regions at 0.96-2.2 and 2.96-4.0: speech from 1.0 to 2.0 and from 3.0 to 3.8, the
        // detector opening a region 0.04 s early and holding it 0.2 s.
        std::vector<Word> words = {word("a", 1.1, 1.6), word("b", 1.6, 1.9), word("c", 3.2, 3.7), word("d", 3.7, 3.8)};
        keepWordsOutOfPauses(words, {{0.96, 2.2}, {2.96, 4.0}}, 5.0);
        QCOMPARE(words[0].t0, 1.0);  // starts where the speech after the leading silence starts
        QCOMPARE(words[0].t1, 1.6);  // inner boundaries stay
        QCOMPARE(words[1].t1, 2.0);  // ends where the speech before the pause ends
        QCOMPARE(words[2].t0, 3.0);  // starts where the speech after the pause starts
        QCOMPARE(words[3].t1, 3.8);  // already where the speech ends
        // More than reachSeconds away: the word is left where the model put it.
        std::vector<Word> far = {word("x", 1.0, 1.2)};
        keepWordsOutOfPauses(far, {{1.0, 2.2}}, 3.0);
        QCOMPARE(far[0].t1, 1.2);
    }

    void shortGapsAreNotPauses()
    {
        std::vector<Word> words = {word("one", 1.0, 1.55), word("two", 1.55, 2.0)};
        keepWordsOutOfPauses(words, {{1.0, 1.5}, {1.6, 2.0}}, 2.0);
        QCOMPARE(words[0].t1, 1.55);
        QCOMPARE(words[1].t0, 1.55);
    }

    void wordsStartingInReferencePausesAreCounted()
    {
        const std::vector<ReferenceWord> reference = {{"a", 1.0, 1.5}, {"b", 1.6, 2.0}, {"c", 3.0, 3.5}};
        const std::vector<Word> hypothesis = {word("a", 0.3, 1.5),   // in the leading silence
                                              word("b", 1.55, 2.0),  // a 0.1 s gap is no pause
                                              word("c", 2.5, 3.5),   // in the 1 s pause
                                              word("d", 3.52, 3.6)}; // within the tolerance of the end
        QCOMPARE(wordsStartingInPauses(reference, hypothesis, 4.0), 2);
        QCOMPARE(wordsStartingInPauses({}, hypothesis, 4.0), 0);
    }
};

QTEST_GUILESS_MAIN(TestPauseAwareWords)
#include "test_pause_aware_words.moc"
