#pragma once
// The transcript as text with clickable words; the selected word is highlighted.
#include "Document.h"

#include <QTextBrowser>

namespace attnscope {

class TranscriptView : public QTextBrowser {
    Q_OBJECT
public:
    explicit TranscriptView(Document* document, QWidget* parent = nullptr);
    void setSelectedWord(int word);
    // While a run decodes window after window: its text so far, in grey, until the finished transcript
    // arrives; clearProvisional() shows the document's transcript again (a run cancelled or failed).
    void showProvisional(const QString& text, double secondsDone);
    void clearProvisional() { render(); }
    bool showsProvisional() const { return provisional_; }

signals:
    void wordClicked(int word);
    void provisionalShown(const QString& text);

private:
    void render();
    Document* document_;
    int selected_ = -1;
    bool provisional_ = false;
};

}  // namespace attnscope
