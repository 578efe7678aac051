// Text as the trainer and the scores see it (text/TextNormalizer): lower case, numbers spelled out,
// punctuation dropped, words the character set cannot spell removed.
#include "text/TextNormalizer.h"

#include <QtTest>

using namespace attnscope;

class TestTextNormalizer : public QObject {
    Q_OBJECT

private slots:
    void textNormalisation()
    {
        QCOMPARE(normalizeText("It's 42 degrees, isn't it?"), std::string("it's forty two degrees isn't it"));
        QCOMPARE(normalizeText("The 3rd of 1,500 items: 100%"), std::string("the third of one thousand five hundred items one hundred percent"));
        QCOMPARE(spellNumber(2024), std::string("two thousand twenty four"));
        QCOMPARE(normalizeText("Café"), std::string());
    }
};

QTEST_GUILESS_MAIN(TestTextNormalizer)
#include "test_text_normalizer.moc"
