#pragma once
// Live mode: while recording, every two seconds the end of the recording so far goes to the
// recognizer (when it is free), so the transcript follows the speaker.
#include "audio/Audio.h"

#include <QObject>
#include <QTimer>

namespace attnscope {

class Document;
class RecognizerRunner;

class LiveTranscription : public QObject {
    Q_OBJECT
public:
    LiveTranscription(const Document* document, const RecognizerRunner* runner, QObject* parent = nullptr);

    void start();
    void stop();
    bool isActive() const { return timer_.isActive(); }

signals:
    // The newest seconds of the recording; `offsetSeconds` is where they start in it.
    void windowReady(const attnscope::Audio& tail, double offsetSeconds);

private:
    void tick();

    const Document* document_;
    const RecognizerRunner* runner_;
    QTimer timer_;
};

}  // namespace attnscope
