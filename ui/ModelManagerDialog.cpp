#include "ModelManagerDialog.h"

#include "download/ModelDownload.h"

#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

namespace attnscope {
namespace {

QString megabytes(qint64 bytes) { return QString::number(bytes / 1048576.0, 'f', 1); }

}  // namespace

ModelManagerDialog::ModelManagerDialog(QWidget* parent) : QDialog(parent)
{
    setWindowTitle(tr("Get Whisper models"));
    auto* layout = new QVBoxLayout(this);
    auto* intro = new QLabel(tr("Whisper models as whisper.cpp publishes them. \".en\" models know English only and are "
                                "more accurate on it; q5 and q8 files are smaller versions of the same model. "
                                "Downloads go to %1.").arg(store_.folder()));
    intro->setWordWrap(true);
    layout->addWidget(intro);

    table_ = new QTableWidget(0, 4);
    table_->setObjectName("models");
    table_->setHorizontalHeaderLabels({tr("Model"), tr("Size"), tr("Speed, accuracy"), tr("Installed")});
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setSelectionMode(QAbstractItemView::SingleSelection);
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->verticalHeader()->hide();
    table_->horizontalHeader()->setSectionResizeMode(2, QHeaderView::Stretch);
    layout->addWidget(table_, 1);

    progress_ = new QProgressBar;
    progress_->setObjectName("downloadProgress");
    progress_->setVisible(false);
    status_ = new QLabel;
    status_->setObjectName("downloadStatus");
    status_->setWordWrap(true);
    status_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(progress_);
    layout->addWidget(status_);

    download_ = new QPushButton(tr("Download"));
    cancel_ = new QPushButton(tr("Cancel download"));
    remove_ = new QPushButton(tr("Remove…"));
    use_ = new QPushButton(tr("Use this model"));
    auto* buttons = new QHBoxLayout;
    for (auto* b : {download_, cancel_, remove_, use_}) buttons->addWidget(b);
    buttons->addStretch(1);
    auto* close = new QDialogButtonBox(QDialogButtonBox::Close);
    buttons->addWidget(close);
    layout->addLayout(buttons);

    connect(download_, &QPushButton::clicked, this, &ModelManagerDialog::downloadSelected);
    connect(cancel_, &QPushButton::clicked, this, &ModelManagerDialog::cancelDownload);
    connect(remove_, &QPushButton::clicked, this, &ModelManagerDialog::removeSelected);
    connect(use_, &QPushButton::clicked, this, [this] {
        emit useRequested(selectedName());
        accept();
    });
    connect(close, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(table_, &QTableWidget::itemSelectionChanged, this, &ModelManagerDialog::updateButtons);
    connect(table_, &QTableWidget::itemDoubleClicked, this, [this] {
        if (store_.installed(selectedName())) use_->click();
    });
    refresh();
    selectModel("base.en");
    resize(760, 520);
}

void ModelManagerDialog::refresh()
{
    const QString selected = selectedName();
    const auto& catalog = whisperCatalog();
    table_->setRowCount(static_cast<int>(catalog.size()));
    for (int row = 0; row < static_cast<int>(catalog.size()); ++row) {
        const CatalogModel& m = catalog[row];
        auto* name = new QTableWidgetItem(m.label());
        name->setData(Qt::UserRole, m.name);
        name->setToolTip(m.name + "\n" + m.url);
        table_->setItem(row, 0, name);
        table_->setItem(row, 1, new QTableWidgetItem(m.sizeText().isEmpty() ? tr("—") : m.sizeText()));
        table_->setItem(row, 2, new QTableWidgetItem(m.verdict() + (m.englishOnly() ? tr("; English only") : QString())));
        table_->setItem(row, 3, new QTableWidgetItem(store_.installed(m.name) ? tr("installed") : QString()));
    }
    table_->resizeColumnsToContents();
    if (!selected.isEmpty())
        selectModel(selected);
    updateButtons();
}

int ModelManagerDialog::selectModel(const QString& name)
{
    for (int row = 0; row < table_->rowCount(); ++row)
        if (table_->item(row, 0)->data(Qt::UserRole).toString() == name) {
            table_->selectRow(row);
            table_->scrollToItem(table_->item(row, 0));
            return row;
        }
    return -1;
}

QString ModelManagerDialog::selectedName() const
{
    const auto rows = table_->selectionModel() ? table_->selectionModel()->selectedRows() : QModelIndexList{};
    return rows.isEmpty() ? QString() : table_->item(rows.front().row(), 0)->data(Qt::UserRole).toString();
}

void ModelManagerDialog::updateButtons()
{
    const QString name = selectedName();
    const bool busy = running_ != nullptr;
    const bool installed = !name.isEmpty() && store_.installed(name);
    download_->setEnabled(!busy && !name.isEmpty() && !installed);
    cancel_->setEnabled(busy);
    remove_->setEnabled(!busy && (installed || QFile::exists(store_.partialFor(name))));
    use_->setEnabled(installed);
}

void ModelManagerDialog::downloadSelected()
{
    const CatalogModel* model = findCatalogModel(selectedName());
    if (!model || running_)
        return;
    running_ = new ModelDownload(*model, store_, QUrl(modelUrl(*model, modelBaseUrl())), this);
    progress_->setVisible(true);
    progress_->setRange(0, 0);
    status_->setText(tr("Downloading %1…").arg(model->label()));
    connect(running_, &ModelDownload::progress, this, [this, model](qint64 got, qint64 total, double rate) {
        if (total > 0) {
            progress_->setRange(0, 1000);
            progress_->setValue(static_cast<int>(got * 1000 / total));
        }
        status_->setText(tr("Downloading %1: %2 of %3 MB, %4 MB/s")
                             .arg(model->label(), megabytes(got), total > 0 ? megabytes(total) : tr("?"),
                                  QString::number(rate / 1048576.0, 'f', 1)));
    });
    connect(running_, &ModelDownload::verifying, this, [this, model] {
        progress_->setRange(0, 0);
        status_->setText(tr("Checking %1…").arg(model->label()));
    });
    connect(running_, &ModelDownload::finished, this, [this, model](bool ok) {
        ModelDownload* d = running_;
        progress_->setVisible(false);
        status_->setText(ok ? tr("%1 is installed.").arg(model->label()) : d->error());
        status_->setStyleSheet(ok ? QString() : "color: #b00020;");
        d->deleteLater();
        running_ = nullptr;
        refresh();
        if (ok)
            emit modelsChanged();
    });
    updateButtons();
    running_->start();
}

void ModelManagerDialog::cancelDownload()
{
    if (running_)
        running_->cancel();
}

void ModelManagerDialog::removeSelected()
{
    const QString name = selectedName();
    if (name.isEmpty() || running_)
        return;
    const auto answer = QMessageBox::question(this, tr("Remove model"),
                                              tr("Remove %1 from %2?").arg(name, store_.folder()));
    if (answer != QMessageBox::Yes)
        return;
    try {
        store_.remove(name);
        status_->setStyleSheet(QString());
        status_->setText(tr("%1 was removed.").arg(name));
    } catch (const std::exception& e) {
        status_->setStyleSheet("color: #b00020;");
        status_->setText(QString::fromStdString(e.what()));
    }
    refresh();
    emit modelsChanged();
}

}  // namespace attnscope
