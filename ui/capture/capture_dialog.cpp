#include "ui/capture/capture_dialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QCoreApplication>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QToolButton>
#include <QVBoxLayout>

#include <limits>
#include <memory>

namespace ca::ui {

namespace {

// A line edit or combo with a button beside it.
QWidget* withButton(QWidget* field, QWidget* button) {
    auto* row = new QWidget;
    auto* layout = new QHBoxLayout(row);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(field, 1);
    layout->addWidget(button);
    return row;
}

QComboBox* editableCombo(const QString& name, const QStringList& items) {
    auto* combo = new QComboBox;
    combo->setObjectName(name);
    combo->setEditable(true);
    combo->setInsertPolicy(QComboBox::NoInsert);
    combo->addItems(items);
    return combo;
}

// Sets a combo's text, whether or not it is one of its items.
void setComboText(QComboBox* combo, const QString& text) {
    const int index = combo->findText(text);
    if (index >= 0) combo->setCurrentIndex(index);
    else if (combo->isEditable()) combo->setEditText(text);
}

QString startDirOf(const QString& path) {
    if (path.isEmpty()) return {};
    const QFileInfo info(path);
    return info.isDir() ? info.absoluteFilePath() : info.absolutePath();
}

}  // namespace

CaptureDialog::CaptureDialog(QWidget* parent, QSettings* settings)
    : QDialog(parent), settings_(settings), executable_(QCoreApplication::applicationFilePath()) {
    setWindowTitle(tr("Capture routing from a model"));
    setObjectName("CaptureDialog");

    process_ = new CaptureProcess(this);
    connect(process_, &CaptureProcess::progress, this, &CaptureDialog::onProgress);
    connect(process_, &CaptureProcess::stderrLine, this, &CaptureDialog::onStderrLine);
    connect(process_, &CaptureProcess::finished, this, &CaptureDialog::onFinished);

    auto* layout = new QVBoxLayout(this);
    form_ = buildForm();
    layout->addWidget(form_);

    auto* progress_box = new QGroupBox(tr("Progress"));
    auto* progress_layout = new QVBoxLayout(progress_box);
    progress_bar_ = new QProgressBar;
    progress_bar_->setObjectName("progress");
    progress_bar_->setRange(0, 1);
    progress_bar_->setValue(0);
    progress_bar_->setFormat("%p% (%v / %m)");
    samples_ = new QLabel(tr("not started"));
    samples_->setObjectName("samples");
    last_line_ = new QLabel;
    last_line_->setObjectName("lastLine");
    last_line_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    last_line_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    // A long line must not widen the dialog; the tooltip holds it whole.
    last_line_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    // The outcome, with a resume command to copy: selectable text that wraps.
    status_ = new QPlainTextEdit;
    status_->setObjectName("status");
    status_->setReadOnly(true);
    status_->setFrameShape(QFrame::NoFrame);
    status_->viewport()->setAutoFillBackground(false);
    status_->setFixedHeight(status_->fontMetrics().lineSpacing() * 5 + 12);
    progress_layout->addWidget(progress_bar_);
    progress_layout->addWidget(samples_);
    progress_layout->addWidget(last_line_);
    progress_layout->addWidget(status_);
    layout->addWidget(progress_box);

    auto* buttons = new QDialogButtonBox;
    run_button_ = buttons->addButton(tr("&Run"), QDialogButtonBox::AcceptRole);
    run_button_->setObjectName("run");
    run_button_->setDefault(true);
    stop_button_ = buttons->addButton(tr("&Stop"), QDialogButtonBox::ActionRole);
    stop_button_->setObjectName("stop");
    stop_button_->setToolTip(tr("Stop after the sample in flight; the trace keeps every completed "
                                "sample and can be resumed. Press again to stop at once."));
    close_button_ = buttons->addButton(QDialogButtonBox::Close);
    close_button_->setObjectName("close");
    // The button box would accept/reject on its own; the buttons are wired one by one instead.
    connect(run_button_, &QPushButton::clicked, this, &CaptureDialog::startCapture);
    connect(stop_button_, &QPushButton::clicked, this, &CaptureDialog::cancelCapture);
    connect(close_button_, &QPushButton::clicked, this, &CaptureDialog::reject);
    layout->addWidget(buttons);

    loadSettings();
    setRunning(false);
    updateCommandLine();
    resize(qMax(720, sizeHint().width()), sizeHint().height());
}

CaptureDialog::~CaptureDialog() = default;

QWidget* CaptureDialog::buildForm() {
    auto* form = new QWidget;
    auto* layout = new QFormLayout(form);

    model_dir_ = new QLineEdit;
    model_dir_->setObjectName("modelDir");
    model_dir_->setPlaceholderText(tr("folder with config.json, *.safetensors and tokenizer.json"));
    auto* model_browse = new QPushButton(tr("Browse…"));
    connect(model_browse, &QPushButton::clicked, this, &CaptureDialog::browseModel);
    layout->addRow(tr("&Model directory:"), withButton(model_dir_, model_browse));

    dataset_ = editableCombo("dataset", {kEmbeddedDatasetLabel});
    dataset_->setToolTip(tr("The embedded MMLU dev split (285 questions), an MMLU CSV folder, the "
                            "authors' MMLU.json, a JSONL file, or a capture --dataset SPEC "
                            "(mmlu:DIR:SPLIT, mmlu-json:FILE, jsonl:FILE)"));
    auto* dataset_browse = new QToolButton;
    dataset_browse->setText(tr("Browse…"));
    dataset_browse->setPopupMode(QToolButton::InstantPopup);
    auto* dataset_menu = new QMenu(dataset_browse);
    dataset_menu->addAction(tr("MMLU CSV folder…"), this, &CaptureDialog::browseDatasetFolder);
    dataset_menu->addAction(tr("MMLU.json or JSONL file…"), this, &CaptureDialog::browseDatasetFile);
    dataset_browse->setMenu(dataset_menu);
    layout->addRow(tr("&Dataset:"), withButton(dataset_, dataset_browse));

    prompt_format_ = editableCombo("promptFormat", {"auto", "plain", "chat", "chat:think", "chat:nothink",
                                                    "5shot+auto", "5shot+plain", "5shot+chat"});
    prompt_format_->setToolTip(tr("auto: the checkpoint's chat template when it has one, else plain. "
                                  "Also template:TEXT (with {prompt}) and template-file:FILE. "
                                  "See docs/prompts.md."));
    layout->addRow(tr("&Prompt format:"), prompt_format_);

    taxonomy_ = editableCombo("taxonomy", {"paper-9-domains", "mmlu-categories", "mmlu-subcategories"});
    taxonomy_->setToolTip(tr("Subject → domain map: a built-in one or a FILE.json (docs/taxonomies.md)"));
    auto* taxonomy_browse = new QPushButton(tr("Browse…"));
    connect(taxonomy_browse, &QPushButton::clicked, this, &CaptureDialog::browseTaxonomy);
    layout->addRow(tr("&Taxonomy:"), withButton(taxonomy_, taxonomy_browse));

    device_ = editableCombo("device", {"cpu", "cuda"});
    device_->setToolTip(tr("cpu, cuda or cuda:N. CUDA needs a CUDA build of libtorch; without one "
                           "the capture stops with an error saying so."));
    layout->addRow(tr("D&evice:"), device_);

    dtype_ = new QComboBox;
    dtype_->setObjectName("dtype");
    dtype_->addItems({"bf16", "fp32"});
    dtype_->setToolTip(tr("bf16: fast; fp32: for verification against a reference"));
    layout->addRow(tr("P&recision:"), dtype_);

    limit_ = new QSpinBox;
    limit_->setObjectName("limit");
    limit_->setRange(0, std::numeric_limits<int>::max());
    limit_->setSpecialValueText(tr("all"));
    limit_->setToolTip(tr("Run at most this many items (0: all)"));
    layout->addRow(tr("&Limit:"), limit_);

    full_probs_ = new QCheckBox(tr("Store the full router softmax for every position (large)"));
    full_probs_->setObjectName("fullProbs");
    layout->addRow(QString(), full_probs_);
    resume_ = new QCheckBox(tr("Resume: continue the interrupted trace at the output path"));
    resume_->setObjectName("resume");
    layout->addRow(QString(), resume_);

    out_ = new QLineEdit;
    out_->setObjectName("out");
    out_->setPlaceholderText(tr("trace.h5"));
    auto* out_browse = new QPushButton(tr("Save as…"));
    connect(out_browse, &QPushButton::clicked, this, &CaptureDialog::browseOutput);
    layout->addRow(tr("&Output trace:"), withButton(out_, out_browse));

    command_line_ = new QLineEdit;
    command_line_->setObjectName("commandLine");
    command_line_->setReadOnly(true);
    command_line_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    command_line_->setToolTip(tr("The same capture from a terminal (e.g. on a cluster node)"));
    layout->addRow(tr("Command:"), command_line_);

    for (QLineEdit* edit : {model_dir_, out_})
        connect(edit, &QLineEdit::textChanged, this, &CaptureDialog::updateCommandLine);
    for (QComboBox* combo : {dataset_, prompt_format_, taxonomy_, device_})
        connect(combo, &QComboBox::currentTextChanged, this, &CaptureDialog::updateCommandLine);
    connect(dtype_, &QComboBox::currentTextChanged, this, &CaptureDialog::updateCommandLine);
    connect(limit_, &QSpinBox::valueChanged, this, &CaptureDialog::updateCommandLine);
    for (QCheckBox* box : {full_probs_, resume_})
        connect(box, &QCheckBox::toggled, this, &CaptureDialog::updateCommandLine);
    return form;
}

CaptureRequest CaptureDialog::request() const {
    CaptureRequest r;
    r.model_dir = model_dir_->text().trimmed();
    r.dataset = dataset_->currentText().trimmed();
    r.prompt_format = prompt_format_->currentText().trimmed();
    r.taxonomy = taxonomy_->currentText().trimmed();
    r.device = device_->currentText().trimmed();
    r.dtype = dtype_->currentText();
    r.limit = limit_->value();
    r.full_probs = full_probs_->isChecked();
    r.resume = resume_->isChecked();
    r.out = out_->text().trimmed();
    return r;
}

void CaptureDialog::setRequest(const CaptureRequest& r) {
    model_dir_->setText(r.model_dir);
    setComboText(dataset_, r.dataset);
    setComboText(prompt_format_, r.prompt_format);
    setComboText(taxonomy_, r.taxonomy);
    setComboText(device_, r.device);
    setComboText(dtype_, r.dtype);
    limit_->setValue(static_cast<int>(qBound(qint64(0), r.limit, qint64(limit_->maximum()))));
    full_probs_->setChecked(r.full_probs);
    resume_->setChecked(r.resume);
    out_->setText(r.out);
}

bool CaptureDialog::isRunning() const { return process_->isRunning(); }

QString CaptureDialog::statusText() const { return status_->toPlainText(); }

void CaptureDialog::startCapture() {
    if (isRunning()) return;
    const CaptureRequest r = request();
    QString problem;
    if (r.model_dir.isEmpty()) problem = tr("Choose the model directory (config.json + safetensors).");
    else if (!QFileInfo(r.model_dir).isDir()) problem = tr("%1: not a directory").arg(r.model_dir);
    else if (datasetSpec(r.dataset).isEmpty()) problem = tr("Choose a dataset.");
    else if (r.out.isEmpty()) problem = tr("Choose where to write the trace (Output trace).");
    if (!problem.isEmpty()) {
        showError(problem);
        return;
    }
    saveSettings();
    running_request_ = r;
    close_when_stopped_ = false;
    progress_bar_->setRange(0, 0);  // busy until the first sample: the model is loading
    samples_->setText(tr("loading the model and tokenising the prompts…"));
    last_line_->clear();
    status_->clear();
    setRunning(true);
    process_->start(executable_, r);
}

void CaptureDialog::cancelCapture() {
    if (!isRunning()) return;
    const bool first = !process_->cancelRequested();
    process_->cancel();
    status_->setPlainText(first ? tr("stopping after the sample in flight… (Stop again to stop at once)")
                           : tr("stopping at once…"));
    stop_button_->setText(tr("Stop &now"));
}

void CaptureDialog::reject() {
    if (isRunning()) {
        close_when_stopped_ = true;
        cancelCapture();
        return;
    }
    QDialog::reject();
}

void CaptureDialog::setRunning(bool running) {
    form_->setEnabled(!running);
    run_button_->setEnabled(!running);
    stop_button_->setEnabled(running);
    stop_button_->setText(tr("&Stop"));
}

void CaptureDialog::onProgress(const CaptureProgress& p) {
    progress_bar_->setRange(0, static_cast<int>(qMin<qint64>(p.total, std::numeric_limits<int>::max())));
    progress_bar_->setValue(static_cast<int>(qMin<qint64>(p.done, progress_bar_->maximum())));
    samples_->setText(tr("%1 / %2 samples · %3 tok/s · elapsed %4 · ETA %5")
                          .arg(p.done)
                          .arg(p.total)
                          .arg(p.tokens_per_second, 0, 'f', 0)
                          .arg(p.elapsed, p.eta));
}

void CaptureDialog::onStderrLine(const QString& line) {
    last_line_->setText(line);
    last_line_->setToolTip(line);
}

void CaptureDialog::onFinished(const CaptureOutcome& outcome) {
    setRunning(false);
    const QString out = running_request_.out;
    switch (outcome.kind) {
    case CaptureOutcome::Kind::Done:
        progress_bar_->setRange(0, 1);
        progress_bar_->setValue(1);
        status_->setPlainText(tr("done: %1").arg(outcome.message.isEmpty() ? out : outcome.message));
        emit traceReady(out);
        accept();
        return;
    case CaptureOutcome::Kind::Cancelled: {
        if (progress_bar_->maximum() == 0) progress_bar_->setRange(0, 1);
        CaptureRequest again = running_request_;
        again.resume = true;
        const QString command = shellCommandLine(executable_, captureArguments(again));
        if (outcome.samples_kept >= 0)
            status_->setPlainText(tr("cancelled: trace kept with %1 samples, resume with Run (Resume is "
                                     "now ticked) or:\n%2")
                                      .arg(outcome.samples_kept)
                                      .arg(command));
        else
            status_->setPlainText(tr("cancelled before the capture could close its trace; %1 may be "
                                     "missing or incomplete")
                                      .arg(out));
        if (outcome.samples_kept > 0) resume_->setChecked(true);
        if (close_when_stopped_) QDialog::reject();
        return;
    }
    case CaptureOutcome::Kind::Failed:
        if (progress_bar_->maximum() == 0) progress_bar_->setRange(0, 1);
        status_->setPlainText(tr("failed: %1").arg(outcome.message));
        showError(outcome.message);
        if (close_when_stopped_) QDialog::reject();
        return;
    }
}

void CaptureDialog::showError(const QString& text) {
    // open(), not exec(): the message is window-modal without a nested event loop.
    auto* box = new QMessageBox(QMessageBox::Warning, tr("Capture"), text, QMessageBox::Ok, this);
    box->setObjectName("captureError");
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

void CaptureDialog::updateCommandLine() {
    command_line_->setText(shellCommandLine(executable_, captureArguments(request())));
}

void CaptureDialog::browseModel() {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Model directory"),
                                                          startDirOf(model_dir_->text()));
    if (!dir.isEmpty()) model_dir_->setText(dir);
}

void CaptureDialog::browseDatasetFolder() {
    const QString dir = QFileDialog::getExistingDirectory(
        this, tr("MMLU CSV folder (holding test/, dev/, val/ or a split's CSVs)"),
        startDirOf(dataset_->currentText()));
    if (!dir.isEmpty()) dataset_->setEditText(dir);
}

void CaptureDialog::browseDatasetFile() {
    const QString file = QFileDialog::getOpenFileName(this, tr("Dataset file"), startDirOf(dataset_->currentText()),
                                                      tr("Datasets (*.json *.jsonl);;All files (*)"));
    if (!file.isEmpty()) dataset_->setEditText(file);
}

void CaptureDialog::browseTaxonomy() {
    const QString file = QFileDialog::getOpenFileName(this, tr("Taxonomy"), startDirOf(taxonomy_->currentText()),
                                                      tr("Taxonomy (*.json);;All files (*)"));
    if (!file.isEmpty()) taxonomy_->setEditText(file);
}

void CaptureDialog::browseOutput() {
    QString file = QFileDialog::getSaveFileName(this, tr("Write the trace to"), out_->text(),
                                                tr("Traces (*.h5);;All files (*)"));
    if (file.isEmpty()) return;
    if (QFileInfo(file).suffix().isEmpty()) file += ".h5";
    out_->setText(file);
}

void CaptureDialog::loadSettings() {
    std::unique_ptr<QSettings> own;
    QSettings* s = settings_;
    if (!s) s = (own = std::make_unique<QSettings>()).get();
    s->beginGroup("capture");
    const CaptureRequest defaults;
    CaptureRequest r;
    r.model_dir = s->value("model_dir", defaults.model_dir).toString();
    r.dataset = s->value("dataset", defaults.dataset).toString();
    r.prompt_format = s->value("prompt_format", defaults.prompt_format).toString();
    r.taxonomy = s->value("taxonomy", defaults.taxonomy).toString();
    r.device = s->value("device", defaults.device).toString();
    r.dtype = s->value("dtype", defaults.dtype).toString();
    r.limit = s->value("limit", defaults.limit).toLongLong();
    r.full_probs = s->value("full_probs", defaults.full_probs).toBool();
    r.out = s->value("out", defaults.out).toString();
    // Resume is not remembered: it belongs to one interrupted trace, not to a habit.
    s->endGroup();
    setRequest(r);
}

void CaptureDialog::saveSettings() const {
    std::unique_ptr<QSettings> own;
    QSettings* s = settings_;
    if (!s) s = (own = std::make_unique<QSettings>()).get();
    const CaptureRequest r = request();
    s->beginGroup("capture");
    s->setValue("model_dir", r.model_dir);
    s->setValue("dataset", r.dataset);
    s->setValue("prompt_format", r.prompt_format);
    s->setValue("taxonomy", r.taxonomy);
    s->setValue("device", r.device);
    s->setValue("dtype", r.dtype);
    s->setValue("limit", r.limit);
    s->setValue("full_probs", r.full_probs);
    s->setValue("out", r.out);
    s->endGroup();
}

}  // namespace ca::ui
