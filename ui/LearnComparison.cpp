#include "LearnComparison.h"

#include "LearnView.h"

#include <QLabel>

#include <algorithm>
#include <QVBoxLayout>

namespace attnscope {

namespace {

// Which side is better: -1 left, 1 right; `lowerIsBetter` for errors and entropy. Negative values
// are "not measured".
int betterSide(double left, double right, bool lowerIsBetter)
{
    if (left < 0 || right < 0 || left == right)
        return 0;
    return (left < right) == lowerIsBetter ? -1 : 1;
}

}  // namespace

LearnComparison::LearnComparison(LearnView* left, LearnView* right, QWidget* parent)
    : QWidget(parent), left_(left), right_(right)
{
    table_ = new QLabel;
    table_->setObjectName("comparisonTable");
    table_->setTextFormat(Qt::RichText);
    table_->setAlignment(Qt::AlignTop | Qt::AlignHCenter);
    table_->setToolTip(tr("Entropy: nats, lower is sharper. Diagonal mass: the share of attention within 80 ms of where "
                          "each character is spoken. Boundary error: where the attention path puts the word starts and "
                          "ends against the synthesizer's (synthetic probes only)."));
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(table_);
    layout->addStretch();
    setMinimumWidth(230);

    connect(left_, &LearnView::snapshotChanged, this, [this] { follow(left_, right_); });
    connect(right_, &LearnView::snapshotChanged, this, [this] { follow(right_, left_); });
    // Both sides show the same probe where the other history has it.
    connect(left_, &LearnView::probeChanged, this, [this](int probe) { right_->setProbe(probe); refresh(); });
    connect(right_, &LearnView::probeChanged, this, [this](int probe) { left_->setProbe(probe); refresh(); });
}

void LearnComparison::follow(LearnView* leader, LearnView* follower)
{
    if (!following_ && leader->snapshot() >= 0) {
        following_ = true;  // the follower's own change must not move the leader back
        follower->setSnapshot(follower->snapshotAtStep(leader->history().snapshots[leader->snapshot()].step));
        following_ = false;
    }
    refresh();
}

std::vector<LearnComparison::Row> LearnComparison::rows() const
{
    if (left_->snapshot() < 0 || right_->snapshot() < 0)
        return {};
    const auto& l = left_->history().snapshots[left_->snapshot()];
    const auto& r = right_->history().snapshots[right_->snapshot()];
    const auto& lm = left_->measures()[left_->snapshot()];
    const auto& rm = right_->measures()[right_->snapshot()];
    auto number = [](double v, int decimals, double scale = 1.0) {
        return v < 0 ? QStringLiteral("–") : QString::number(v * scale, 'f', decimals);
    };
    return {
        {tr("architecture"), QString::fromStdString(left_->history().architecture),
         QString::fromStdString(right_->history().architecture), 0},
        {tr("step"), QString::number(l.step), QString::number(r.step), 0},
        {tr("minutes trained"), number(l.minutes, 1), number(r.minutes, 1), 0},
        {tr("dev CER (%)"), number(l.devCer, 1, 100), number(r.devCer, 1, 100), betterSide(l.devCer, r.devCer, true)},
        {tr("entropy (nats)"), number(lm.entropy, 2), number(rm.entropy, 2), betterSide(lm.entropy, rm.entropy, true)},
        {tr("diagonal mass"), number(lm.diagonalMass, 2), number(rm.diagonalMass, 2),
         betterSide(lm.diagonalMass, rm.diagonalMass, false)},
        {tr("boundary error (ms)"), number(lm.boundaryError, 0, 1000), number(rm.boundaryError, 0, 1000),
         betterSide(lm.boundaryError, rm.boundaryError, true)},
    };
}

void LearnComparison::shareStepAxis()
{
    std::vector<long> steps;
    for (const LearnView* side : {left_, right_})
        for (const auto& s : side->history().snapshots) steps.push_back(s.step);
    std::sort(steps.begin(), steps.end());
    steps.erase(std::unique(steps.begin(), steps.end()), steps.end());
    left_->setStepAxis(steps);
    right_->setStepAxis(steps);
}

void LearnComparison::refresh()
{
    QString html = "<table cellspacing='0' cellpadding='4'><tr><th></th><th>" + tr("left") + "</th><th>" + tr("right") +
                   "</th></tr>";
    for (const Row& row : rows()) {
        auto cell = [](const QString& text, bool bold) {
            return "<td align='right'>" + (bold ? "<b>" + text.toHtmlEscaped() + "</b>" : text.toHtmlEscaped()) + "</td>";
        };
        html += "<tr><td>" + row.name.toHtmlEscaped() + "</td>" + cell(row.left, row.better < 0) +
                cell(row.right, row.better > 0) + "</tr>";
    }
    table_->setText(html + "</table>");
}

}  // namespace attnscope
