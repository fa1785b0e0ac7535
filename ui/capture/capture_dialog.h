// The capture dialog: choose a checkpoint, a dataset and the capture's options, run
// `committee-audit capture` in a child process (capture_process.h) with progress, ETA and
// cancel, and hand the finished trace to the app (traceReady).
//
// Use it non-modally so that the app stays usable during a long capture:
//   auto* dialog = new CaptureDialog(window);
//   connect(dialog, &CaptureDialog::traceReady, window, &MainWindow::openTrace);
//   dialog->show();
// The last values used are remembered in QSettings (group "capture").
#pragma once

#include "ui/capture/capture_process.h"

#include <QDialog>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QSettings;
class QSpinBox;
class QWidget;

namespace ca::ui {

class CaptureDialog : public QDialog {
    Q_OBJECT
public:
    // `settings`: where the last values live; nullptr = the application's QSettings().
    // The dialog does not own it.
    explicit CaptureDialog(QWidget* parent = nullptr, QSettings* settings = nullptr);
    ~CaptureDialog() override;

    // The program run as `<executable> capture ...`; by default this very executable
    // (QCoreApplication::applicationFilePath()). Tests point it at a stand-in script.
    void setExecutable(const QString& executable) { executable_ = executable; }
    QString executable() const { return executable_; }

    CaptureRequest request() const;  // the fields as they stand
    void setRequest(const CaptureRequest& request);

    bool isRunning() const;
    QString statusText() const;  // the line under the progress bar (for tests and screenshots)

public slots:
    void startCapture();   // the Run button: checks the fields, then starts the child
    void cancelCapture();  // the Stop button: SIGINT (a second press kills)
    void reject() override;  // Close/Escape while running stops the capture first

signals:
    void traceReady(const QString& path);  // the capture finished; the trace is complete

private:
    QWidget* buildForm();
    void browseModel();
    void browseDatasetFolder();
    void browseDatasetFile();
    void browseTaxonomy();
    void browseOutput();
    void updateCommandLine();
    void setRunning(bool running);
    void onProgress(const CaptureProgress& progress);
    void onStderrLine(const QString& line);
    void onFinished(const CaptureOutcome& outcome);
    void showError(const QString& text);
    void loadSettings();
    void saveSettings() const;

    QSettings* settings_ = nullptr;
    QString executable_;
    CaptureProcess* process_ = nullptr;
    CaptureRequest running_request_;
    bool close_when_stopped_ = false;

    QWidget* form_ = nullptr;
    QLineEdit* model_dir_ = nullptr;
    QComboBox* dataset_ = nullptr;
    QComboBox* prompt_format_ = nullptr;
    QComboBox* taxonomy_ = nullptr;
    QComboBox* device_ = nullptr;
    QComboBox* dtype_ = nullptr;
    QSpinBox* limit_ = nullptr;
    QCheckBox* full_probs_ = nullptr;
    QCheckBox* resume_ = nullptr;
    QLineEdit* out_ = nullptr;
    QLineEdit* command_line_ = nullptr;
    QProgressBar* progress_bar_ = nullptr;
    QLabel* samples_ = nullptr;
    QLabel* last_line_ = nullptr;
    QPlainTextEdit* status_ = nullptr;
    QPushButton* run_button_ = nullptr;
    QPushButton* stop_button_ = nullptr;
    QPushButton* close_button_ = nullptr;
};

}  // namespace ca::ui
