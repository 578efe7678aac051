// The built-in model's language models: the character n-gram and the word model, counted, stored, scored,
// and refused when damaged.
#include "base/Error.h"
#include "model/builtin/BuiltinModel.h"
#include "model/builtin/CharacterLanguageModel.h"
#include "model/builtin/CharacterVocabulary.h"
#include "model/builtin/ModelFileRecords.h"
#include "model/builtin/WordLanguageModel.h"
#include "support/SmallBuiltinModel.h"
#include "train/CharacterLanguageModelCounter.h"
#include "train/WordLanguageModelCounter.h"

#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <filesystem>
#include <functional>

using namespace attnscope;

class TestLanguageModels : public QObject {
    Q_OBJECT
private slots:
    void characterLanguageModelCountsStoresAndRefusesDamage()
    {
        using LM = CharacterLanguageModel;
        const std::vector<std::string> sentences{"the cat sat on the mat", "the cat ran", "a dog sat on a log",
                                                 "the dog ran to the cat"};
        LanguageModelCounts options;
        options.order = 4;
        options.minContextCount = 1;
        const LM lm = countCharacterLanguageModel(sentences, options);
        QCOMPARE(lm.order(), 4);
        QCOMPARE(lm.sentences(), int64_t(4));
        const auto symbol = [](char c) { return LM::symbolOfToken(CharacterVocabulary::encode(std::string(1, c))[0]); };
        const auto score = [&](const std::string& text) {
            double sum = 0;
            float p[LM::kSymbols];
            LM::State state = lm.start();
            for (char c : text + "$") {
                const int s = c == '$' ? LM::kEnd : symbol(c);
                lm.logProbs(state, p);
                sum += p[s];
                state = lm.advance(state, s);
            }
            return sum;
        };
        // Every distribution sums to one (up to the byte quantisation), seen or not.
        for (const std::string history : {"", "the c", "zzzz", "on a "}) {
            float p[LM::kSymbols];
            LM::State state = lm.start();
            for (char c : history) state = lm.advance(state, symbol(c));
            lm.logProbs(state, p);
            double total = 0;
            for (float x : p) total += std::exp(x);
            QVERIFY2(std::abs(total - 1.0) < 0.05, qPrintable(QString::fromStdString(history) + ": " + QString::number(total)));
        }
        // What it counted is likelier than the same letters reordered, and spelling follows the corpus.
        QVERIFY(score("the cat sat on the mat") > score("teh cta sta no hte mta") + 10);
        QVERIFY(score("the dog sat") > score("the dgo sat"));
        {
            float p[LM::kSymbols];
            LM::State state = lm.start();
            for (char c : std::string("the c")) state = lm.advance(state, symbol(c));
            lm.logProbs(state, p);
            QCOMPARE(static_cast<int>(std::max_element(p, p + LM::kSymbols) - p), symbol('a'));
        }
        // Pruning keeps fewer contexts and still answers every history.
        options.minContextCount = 3;
        const LM pruned = countCharacterLanguageModel(sentences, options);
        QVERIFY(pruned.contextCount() < lm.contextCount());
        QVERIFY_THROWS_EXCEPTION(Error, countCharacterLanguageModel({}, options));

        // Stored in a model file: the network loads as before, the model reads back unchanged.
        QTemporaryDir dir;
        const std::string path = dir.filePath("m.pt").toStdString();
        BuiltinModel model = test::saveSmallBuiltinModel(path, test::smallBuiltinHParams(16, 1, 16), 4, {{"alignment_heads", {{0, 1}}}});
        QVERIFY(!CharacterLanguageModel::readFromModelFile(path));
        lm.storeInModelFile(path);
        pruned.storeInModelFile(path);  // replaces the first one
        const auto back = CharacterLanguageModel::readFromModelFile(path);
        QVERIFY(back.has_value());
        QCOMPARE(back->contextCount(), pruned.contextCount());
        const BuiltinModelFile file = loadBuiltinModel(path);
        QCOMPARE(file.meta["alignment_heads"], nlohmann::json({{0, 1}}));
        QCOMPARE(file.meta["language_model"]["order"].get<int>(), 4);
        for (const auto& p : model->named_parameters())
            QVERIFY(torch::allclose(p.value().to(torch::kHalf).to(torch::kFloat), file.model->named_parameters()[p.key()]));
        QVERIFY(!std::filesystem::exists(path + ".writing"));

        // Damaged tables: a clear model error, never a crash.
        const auto writeWith = [&](const std::string& name, const torch::Tensor& contexts, const torch::Tensor& logp,
                                   int order) {
            torch::serialize::OutputArchive out;
            nlohmann::json meta = file.meta;
            meta["language_model"]["order"] = order;
            out.write("meta", c10::IValue(meta.dump()));
            for (const auto& p : model->named_parameters()) out.write("param." + p.key(), p.value(), true);
            if (contexts.defined()) out.write("lm.contexts", contexts, true);
            if (logp.defined()) out.write("lm.logp", logp, true);
            const std::string bad = dir.filePath(QString::fromStdString(name)).toStdString();
            out.save_to(bad);
            return bad;
        };
        const auto keys = torch::tensor({int64_t{0}, (int64_t{1} << 60) | 3}, torch::kLong);
        const auto rows = torch::zeros({2, LM::kSymbols}, torch::kByte);
        QVERIFY(CharacterLanguageModel::readFromModelFile(writeWith("good.pt", keys, rows, 4)).has_value());
        for (const auto& bad : {writeWith("missing.pt", keys, {}, 4), writeWith("shape.pt", keys, rows.narrow(0, 0, 1), 4),
                                writeWith("type.pt", keys.to(torch::kInt), rows, 4),
                                writeWith("unsorted.pt", keys.flip(0), rows, 4), writeWith("order.pt", keys, rows, 0),
                                writeWith("nokey0.pt", keys.narrow(0, 1, 1), rows.narrow(0, 0, 1), 4),
                                writeWith("longkey.pt", keys, rows, 1)}) {
            try {
                CharacterLanguageModel::readFromModelFile(bad);
                QFAIL(("no error for " + bad).c_str());
            } catch (const Error& e) {
                QCOMPARE(e.kind(), ErrorKind::Model);
                QVERIFY2(QString(e.what()).contains("language model"), e.what());
            }
        }
    }

    void wordLanguageModelScoresWholeWordsAndStores()
    {
        using W = WordLanguageModel;
        const std::vector<std::string> sentences{"the cat sat on the mat", "the cat ran", "a dog sat on a log",
                                                 "the dog ran to the cat", "the cat sat"};
        WordLanguageModelCounts options;
        options.minWordCount = 1;
        options.minBigramCount = 1;
        options.minTrigramCount = 1;
        options.outsidePenalty = -3;
        const W words = countWordLanguageModel(sentences, options);
        QCOMPARE(words.wordCount(), size_t(10));
        QVERIFY(words.trigramCount() > 0);
        QCOMPARE(words.sentences(), int64_t(5));
        QVERIFY(words.id("cat") >= W::kFirstWord);
        QCOMPARE(words.word(words.id("cat")), std::string("cat"));
        QCOMPARE(words.id("zebra"), W::kUnknown);
        QCOMPARE(words.id("ca"), W::kUnknown);
        // With every bigram kept, each history's distribution over what can follow sums to one.
        for (const int history : {int(W::kStart), words.id("the"), words.id("cat"), words.id("log"), int(W::kUnknown)}) {
            double total = 0;
            for (int w = 0; w < int(W::kFirstWord + words.wordCount()); ++w)
                if (w != W::kStart) total += std::exp(words.logProb(history, w));
            QVERIFY2(std::abs(total - 1.0) < 1e-4, qPrintable(QString::number(total)));
        }
        QVERIFY(words.logProb(words.id("the"), words.id("cat")) > words.logProb(words.id("the"), words.id("log")));
        // So does each two-word context's, seen or not; an unseen one is the bigram model's, and so is
        // the first word's (nothing before the start).
        const auto id = [&](const char* w) { return words.id(w); };
        for (const auto& [older, history] : std::vector<std::pair<int, int>>{{W::kStart, id("the")}, {id("the"), id("cat")},
                                                                             {id("cat"), id("sat")}, {id("dog"), id("cat")}}) {
            double total = 0;
            for (int w = 0; w < int(W::kFirstWord + words.wordCount()); ++w)
                if (w != W::kStart) total += std::exp(words.logProb(older, history, w));
            QVERIFY2(std::abs(total - 1.0) < 1e-4, qPrintable(QString::number(total)));
        }
        QCOMPARE(words.logProb(id("dog"), id("cat"), id("ran")), words.logProb(id("cat"), id("ran")));
        QCOMPARE(words.logProb(W::kNoWord, W::kStart, id("the")), words.logProb(W::kStart, id("the")));
        // "the cat" goes on to "sat" twice and "ran" once; after "dog", "ran" goes to "to": the older word counts.
        QVERIFY(words.logProb(W::kStart, id("the"), id("cat")) > words.logProb(id("the"), id("cat")));
        QVERIFY(words.logProb(id("dog"), id("ran"), id("to")) > words.logProb(id("cat"), id("ran"), id("to")));

        // Spelled character by character, whole words score as the word model says, whatever the
        // character model said about their letters; a spelling no word begins with pays the penalty
        // once and keeps its character scores.
        const auto spell = [&](const std::string& text, double characterLogp) {
            auto cursor = words.start();
            double sum = 0;
            for (char c : text) sum += words.advance(cursor, CharacterLanguageModel::symbolOfToken(CharacterVocabulary::encode(std::string(1, c))[0]), characterLogp);
            return sum + words.advance(cursor, CharacterLanguageModel::kEnd, characterLogp);
        };
        const double expected = words.logProb(W::kStart, id("the")) + words.logProb(W::kStart, id("the"), id("dog")) +
                                words.logProb(id("the"), id("dog"), id("sat")) + words.logProb(id("dog"), id("sat"), W::kEnd);
        QVERIFY(std::abs(spell("the dog sat", -0.5) - expected) < 1e-6);
        QVERIFY(std::abs(spell("the dog sat", -2.0) - expected) < 1e-6);
        QVERIFY(std::abs(spell("the dog sat ", -2.0) - (expected - 2.0)) < 1e-6);  // a trailing space is not free
        // "dxg": d-x leaves the vocabulary (penalty), its three letters and the space keep -0.5 each.
        const double outside = words.logProb(W::kStart, id("the")) + words.logProb(W::kStart, id("the"), W::kUnknown) +
                               4 * -0.5 - 3 + words.logProb(id("the"), W::kUnknown, id("sat")) +
                               words.logProb(W::kUnknown, id("sat"), W::kEnd);
        QVERIFY2(std::abs(spell("the dxg sat", -0.5) - outside) < 1e-6, qPrintable(QString::number(spell("the dxg sat", -0.5))));
        // "ca" is a vocabulary word's beginning but no word: it pays the penalty where it ends.
        const double cut = words.logProb(W::kStart, id("the")) + words.logProb(W::kStart, id("the"), W::kUnknown) +
                           3 * -0.5 - 3 + words.logProb(id("the"), W::kUnknown, W::kEnd);
        QVERIFY(std::abs(spell("the ca", -0.5) - cut) < 1e-6);

        // Pruned bigrams fall back to the history's back-off; rare words become <unk>.
        options.minWordCount = 2;
        options.minBigramCount = 2;
        options.minTrigramCount = 2;
        const W pruned = countWordLanguageModel(sentences, options);
        QVERIFY(pruned.wordCount() < words.wordCount() && pruned.bigramCount() < words.bigramCount());
        QVERIFY(pruned.trigramCount() < words.trigramCount());
        options.minTrigramCount = 0;
        QCOMPARE(countWordLanguageModel(sentences, options).trigramCount(), size_t(0));
        QCOMPARE(pruned.id("mat"), W::kUnknown);
        QVERIFY_THROWS_EXCEPTION(Error, countWordLanguageModel({}, options));
        options.outsidePenalty = 1;
        QVERIFY_THROWS_EXCEPTION(Error, countWordLanguageModel(sentences, options));

        // Stored beside the character model: each rewrite keeps the other and the network.
        QTemporaryDir dir;
        const std::string path = dir.filePath("m.pt").toStdString();
        BuiltinModel model = test::saveSmallBuiltinModel(path, test::smallBuiltinHParams(16, 1, 16), 4, {{"alignment_heads", {{0, 1}}}});
        QVERIFY(!W::readFromModelFile(path));
        words.storeInModelFile(path);
        LanguageModelCounts characterOptions;
        characterOptions.order = 3;
        characterOptions.minContextCount = 1;
        countCharacterLanguageModel(sentences, characterOptions).storeInModelFile(path);
        const auto back = W::readFromModelFile(path);
        QVERIFY(back.has_value() && CharacterLanguageModel::readFromModelFile(path).has_value());
        QCOMPARE(back->wordCount(), words.wordCount());
        QCOMPARE(back->bigramCount(), words.bigramCount());
        QCOMPARE(back->trigramCount(), words.trigramCount());
        QVERIFY(std::abs(back->logProb(W::kStart, id("the"), id("cat")) - words.logProb(W::kStart, id("the"), id("cat"))) < 2e-3);
        QCOMPARE(back->outsidePenalty(), -3.0f);
        QVERIFY(std::abs(back->logProb(id("the"), id("cat")) - words.logProb(id("the"), id("cat"))) < 2e-3);  // float16
        const BuiltinModelFile file = loadBuiltinModel(path);
        for (const auto& p : model->named_parameters())
            QVERIFY(torch::allclose(p.value().to(torch::kHalf).to(torch::kFloat), file.model->named_parameters()[p.key()]));
        pruned.storeInModelFile(path);  // replaces the first one
        QCOMPARE(W::readFromModelFile(path)->wordCount(), pruned.wordCount());
        QVERIFY(CharacterLanguageModel::readFromModelFile(path).has_value());
        replaceModelFileRecords(path, "word_language_model", nullptr, "wlm.", {});  // attnscope-train --no-words
        QVERIFY(!W::readFromModelFile(path));

        // Damaged tables: a clear model error, never a crash.
        const auto rows = std::vector<int32_t>(W::kFirstWord + 3, 0);
        const auto zeros = std::vector<float>(W::kFirstWord + 2, -1.0f);
        QVERIFY(!W({"a", "b"}, zeros, zeros, std::vector<int32_t>(W::kFirstWord + 3, 0), {}, {}, 0, 1).empty());
        const std::vector<std::function<void()>> damaged{
            [&] { W({"b", "a"}, zeros, zeros, rows, {}, {}, 0, 1); },
            [&] { W({"a", "a b"}, zeros, zeros, rows, {}, {}, 0, 1); },
            [&] { W({"a", "b"}, {-1.0f}, zeros, rows, {}, {}, 0, 1); },
            [&] { W({"a", "b"}, zeros, std::vector<float>(W::kFirstWord + 2, 3.0f), rows, {}, {}, 0, 1); },
            [&] { W({"a", "b"}, zeros, zeros, rows, {1}, {-1.0f}, 0, 1); },
            [&] {
                auto r = rows;
                for (size_t i = 1; i < r.size(); ++i) r[i] = 1;
                W({"a", "b"}, zeros, zeros, r, {99}, {-1.0f}, 0, 1);
            },
            [&] { W({}, {}, {}, {0}, {}, {}, 0, 1); },
            [&] { W({"a", "b"}, zeros, zeros, rows, {}, {}, 0, 1, W::Trigrams{{3}, {4}, {-1.0f}, {0, 1}, {99}, {-1.0f}}); },
            [&] { W({"a", "b"}, zeros, zeros, rows, {}, {}, 0, 1, W::Trigrams{{4, 3}, {3, 3}, {-1.0f, -1.0f}, {0, 0, 0}, {}, {}}); },
            [&] { W({"a", "b"}, zeros, zeros, rows, {}, {}, 0, 1, W::Trigrams{{3}, {4}, {2.0f}, {0, 0}, {}, {}}); },
            [&] { W({"a", "b"}, zeros, zeros, rows, {}, {}, 0, 1, W::Trigrams{{3}, {4}, {-1.0f}, {0, 2}, {3}, {-1.0f}}); },
            [&] {
                words.storeInModelFile(path);
                replaceModelFileRecords(path, "word_language_model", {{"outside_penalty", 0}, {"trigram_contexts", 5}}, "wlm.tri", {});
                W::readFromModelFile(path);
            },
            [&] {
                replaceModelFileRecords(path, "word_language_model", {{"outside_penalty", 0}}, "wlm.", {});
                W::readFromModelFile(path);
            },
            [&] {
                replaceModelFileRecords(path, "word_language_model", {{"outside_penalty", 0}}, "wlm.",
                                        {{"wlm.words", torch::zeros({3}, torch::kFloat)},
                                         {"wlm.unigram", torch::zeros({3})},
                                         {"wlm.backoff", torch::zeros({3})},
                                         {"wlm.rows", torch::zeros({3})},
                                         {"wlm.next", torch::zeros({3})},
                                         {"wlm.bigram", torch::zeros({3})}});
                W::readFromModelFile(path);
            },
        };
        for (size_t i = 0; i < damaged.size(); ++i) {
            try {
                damaged[i]();
                QFAIL(qPrintable(QString("no error for damage %1").arg(i)));
            } catch (const Error& e) {
                QCOMPARE(e.kind(), ErrorKind::Model);
                QVERIFY2(QString(e.what()).contains("word language model"), e.what());
            }
        }
    }
};

QTEST_GUILESS_MAIN(TestLanguageModels)
#include "test_language_models.moc"
