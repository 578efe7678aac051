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

signals:
    void wordClicked(int word);

private:
    void render();
    Document* document_;
    int selected_ = -1;
};

}  // namespace attnscope
