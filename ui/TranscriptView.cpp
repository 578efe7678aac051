#include "TranscriptView.h"

namespace attnscope {

TranscriptView::TranscriptView(Document* document, QWidget* parent) : QTextBrowser(parent), document_(document)
{
    setOpenLinks(false);
    setMinimumHeight(60);
    connect(document_, &Document::transcriptChanged, this, [this] {
        selected_ = -1;
        render();
    });
    connect(this, &QTextBrowser::anchorClicked, this, [this](const QUrl& url) {
        bool ok = false;
        const int word = url.fragment().toInt(&ok);
        if (ok)
            emit wordClicked(word);
    });
}

void TranscriptView::setSelectedWord(int word)
{
    selected_ = word;
    render();
}

void TranscriptView::showProvisional(const QString& text, double secondsDone)
{
    provisional_ = true;
    setHtml(QString("<p style='font-size:15px; line-height:150%; color:gray'><i>%1</i><br>%2</p>")
                .arg(tr("Transcribing… the first %1 s so far:").arg(secondsDone, 0, 'f', 1), text.toHtmlEscaped()));
    emit provisionalShown(text);
}

void TranscriptView::render()
{
    provisional_ = false;
    const auto& t = document_->transcript();
    if (!t) {
        setHtml(QString("<i>%1</i>").arg(tr("No transcript yet.")));
        return;
    }
    QString html = "<p style='font-size:15px; line-height:150%'>";
    for (size_t i = 0; i < t->words.size(); ++i) {
        const auto& w = t->words[i];
        const QString style = static_cast<int>(i) == selected_ ? "background:#ffe066; color:black;" : "color:inherit;";
        html += QString("<a href='#%1' style='text-decoration:none; %2' title='%3-%4 s, p=%5'>%6</a> ")
                    .arg(i)
                    .arg(style)
                    .arg(w.t0, 0, 'f', 2)
                    .arg(w.t1, 0, 'f', 2)
                    .arg(w.p, 0, 'f', 2)
                    .arg(QString::fromStdString(w.text).toHtmlEscaped());
    }
    setHtml(html + "</p>");
}

}  // namespace attnscope
