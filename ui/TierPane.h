#pragma once
// Praat-TextGrid-style interval tiers under the heatmap: words on top, tokens below, each interval
// between its DTW boundaries. Clicking an interval selects that word or token.
#include "Document.h"
#include "TimeAxisPane.h"

class QFontMetrics;

namespace attnscope {

class TierPane : public TimeAxisPane {
    Q_OBJECT
public:
    TierPane(Document* document, ViewManager* view, QWidget* parent = nullptr);
    QSize sizeHint() const override { return {400, 52}; }
    void setSelectedToken(int token);
    void setSelectedWord(int word);
    // The word (or token) interval at `seconds`, or -1.
    int wordAt(double seconds) const;
    int tokenAt(double seconds) const;
    // An interval's label in `width` pixels: elided, or "" where not even the ellipsis fits.
    static QString tierLabel(const QString& text, const QFontMetrics& metrics, int width);

signals:
    void wordClicked(int word);
    void tokenClicked(int token);

protected:
    void paintEvent(QPaintEvent*) override;
    void mousePressEvent(QMouseEvent* event) override;

private:
    Document* document_;
    int selectedToken_ = -1;
    int selectedWord_ = -1;
};

}  // namespace attnscope
