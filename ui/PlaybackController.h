#pragma once
// Plays the document's audio (all of it from the playhead, or one word's or token's span) and moves
// the shared playhead while it plays, 30 times a second.
#include <QObject>
#include <QTimer>

#include <memory>

namespace attnscope {

class AudioPlayer;
class Document;
class ViewManager;

class PlaybackController : public QObject {
    Q_OBJECT
public:
    PlaybackController(Document* document, ViewManager* view, QObject* parent = nullptr);
    ~PlaybackController() override;

    void setDevice(const QString& device);
    // Throws attnscope::Error when the output device is missing or refuses.
    void play(double fromSeconds, double toSeconds);
    void togglePlayback();  // space: from the playhead to the end, or stop
    void stop();
    bool isPlaying() const;

signals:
    void stateChanged(bool playing);

private:
    void tick();

    Document* document_;
    ViewManager* view_;
    std::unique_ptr<AudioPlayer> player_;
    QTimer timer_;
};

}  // namespace attnscope
