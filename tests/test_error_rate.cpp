// Character and word error rates and the word-boundary error against reference times (eval/).
#include "eval/ErrorRate.h"
#include "eval/ReferenceSet.h"

#include <QtTest>

using namespace attnscope;

class TestErrorRate : public QObject {
    Q_OBJECT

private slots:
    void errorRatesAndBoundaries()
    {
        QCOMPARE(characterErrors("abc", "abd").errors, 1L);
        QCOMPARE(wordErrors("the cat sat", "the cat sat down").errors, 1L);
        QCOMPARE(wordErrors("Hello, world!", "hello world").errors, 0L);
        std::vector<ReferenceWord> ref = {{"a", 0.0, 0.5}, {"b", 0.5, 1.0}};
        std::vector<Word> hyp(2);
        hyp[0].text = "a"; hyp[0].t0 = 0.1; hyp[0].t1 = 0.5;
        hyp[1].text = "x"; hyp[1].t0 = 0.5; hyp[1].t1 = 1.0;
        int matched = 0;
        QCOMPARE(wordBoundaryError(ref, hyp, &matched), 0.05);
        QCOMPARE(matched, 1);
        QCOMPARE(wordBoundaryErrors(ref, hyp), (std::vector<double>{0.1, 0.0}));  // "a": start, end
    }
};

QTEST_GUILESS_MAIN(TestErrorRate)
#include "test_error_rate.moc"
