// The CTC prefix score that joint CTC/attention beam search adds (model/builtin/CtcPrefixScorer): on a
// table small enough to enumerate every alignment path, it equals the summed path probabilities.
#include "model/builtin/CtcPrefixScorer.h"

#include <QtTest>
#include <torch/torch.h>

#include <cmath>
#include <map>
#include <vector>

using namespace attnscope;

class TestCtcPrefixScorer : public QObject {
    Q_OBJECT

private slots:
    void ctcPrefixScoresMatchEveryPath()
    {
        constexpr int T = 5, V = 3, blank = 0;
        torch::manual_seed(7);
        const auto logp = torch::log_softmax(torch::randn({T, V}) * 2, -1).contiguous();
        const float* x = logp.data_ptr<float>();
        std::map<std::vector<int>, double> starts, exact;  // labelling prefixes -> probability
        std::vector<int> path(T, 0);
        for (int code = 0; code < std::pow(V, T); ++code) {
            double p = 1;
            for (int t = 0, c = code; t < T; ++t, c /= V) {
                path[t] = c % V;
                p *= std::exp(x[t * V + path[t]]);
            }
            std::vector<int> label;
            for (int t = 0; t < T; ++t)
                if (path[t] != blank && (t == 0 || path[t] != path[t - 1])) label.push_back(path[t]);
            exact[label] += p;
            for (size_t n = 0; n <= label.size(); ++n) starts[std::vector<int>(label.begin(), label.begin() + n)] += p;
        }
        const CtcPrefixScorer scorer(x, T, V, blank);
        for (const std::vector<int>& prefix : {std::vector<int>{}, {1}, {2}, {1, 2}, {1, 1}, {2, 1, 2}, {1, 2, 1, 2}}) {
            auto g = scorer.empty();
            for (int c : prefix) g = scorer.extend(g, c);
            const QString name = QString::number(prefix.size()) + " symbols";
            QVERIFY2(std::abs(std::exp(g.score) - starts[prefix]) < 1e-5, qPrintable(name));
            QVERIFY2(std::abs(std::exp(scorer.finish(g)) - exact[prefix]) < 1e-5, qPrintable(name));
        }
    }
};

QTEST_GUILESS_MAIN(TestCtcPrefixScorer)
#include "test_ctc_prefix_scorer.moc"
