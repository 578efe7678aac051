#pragma once
// File ▸ Get Whisper models…: the models whisper.cpp publishes, with their size, a plain word on speed
// and accuracy, and whether each is installed. Download shows bytes and rate and can be cancelled (the
// bytes so far are kept: the next download resumes); a file is only installed once verified
// (download/ModelDownload.h). Remove asks first.
#include "catalog/ModelStore.h"

#include <QDialog>
#include <QPointer>

class QLabel;
class QProgressBar;
class QPushButton;
class QTableWidget;

namespace attnscope {

class ModelDownload;

class ModelManagerDialog : public QDialog {
    Q_OBJECT
public:
    explicit ModelManagerDialog(QWidget* parent = nullptr);

    // The row of a model (whisper.cpp's name), -1 if none; selects it (tests, "Use" after download).
    int selectModel(const QString& name);
    void downloadSelected();
    void cancelDownload();
    void removeSelected();  // after a confirmation

signals:
    void modelsChanged();                // installed or removed: the chooser lists them
    void useRequested(const QString& name);

private:
    void refresh();
    void updateButtons();
    QString selectedName() const;

    ModelStore store_;
    QTableWidget* table_ = nullptr;
    QProgressBar* progress_ = nullptr;
    QLabel* status_ = nullptr;
    QPushButton *download_ = nullptr, *cancel_ = nullptr, *remove_ = nullptr, *use_ = nullptr;
    QPointer<ModelDownload> running_;
};

}  // namespace attnscope
