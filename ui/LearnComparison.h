#pragma once
// Two training histories side by side on one step scale (dot against location, LAS against the
// Transformer): moving either replay moves the other to the snapshot at the same step, and the
// panel between them shows what differs there, the better side of each figure in bold.
#include <QString>
#include <QWidget>

#include <vector>

class QLabel;

namespace attnscope {

class LearnView;

class LearnComparison : public QWidget {
    Q_OBJECT
public:
    struct Row {
        QString name;
        QString left, right;
        int better = 0;  // -1 the left, 1 the right, 0 neither (equal, or not comparable)
    };

    LearnComparison(LearnView* left, LearnView* right, QWidget* parent = nullptr);

    // What the panel shows: the step, minutes, dev CER, attention entropy, diagonal mass and word
    // boundary error of each side's snapshot on show.
    std::vector<Row> rows() const;
    void refresh();
    // After either side got a new history: both curves on one axis, the union of their steps.
    void shareStepAxis();

private:
    void follow(LearnView* leader, LearnView* follower);

    LearnView* left_;
    LearnView* right_;
    QLabel* table_ = nullptr;
    bool following_ = false;
};

}  // namespace attnscope
