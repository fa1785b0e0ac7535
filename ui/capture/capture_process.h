// A capture run as a child process: `<executable> capture ...` (the same committee-audit
// binary by default). A separate process keeps libtorch out of the GUI, keeps the GUI
// responsive while every core runs the model, and makes cancel clean: SIGINT makes the
// capture finish the sample in flight, close the trace and exit 130 with the trace valid
// and resumable (app/commands/capture_runner.cpp).
//
// The pure parts (arguments from a request, reading capture's stderr) are free functions so
// that they can be tested without a process.
#pragma once

#include <QObject>
#include <QProcess>
#include <QString>
#include <QStringList>

#include <optional>

namespace ca::ui {

// The dataset choice that stands for capture's embedded MMLU dev split (`--dataset demo`).
inline constexpr const char* kEmbeddedDatasetLabel = "mmlu-dev (embedded)";

// What the dialog asks `committee-audit capture` to do; field by field its options.
struct CaptureRequest {
    QString model_dir;                     // --model
    QString dataset = kEmbeddedDatasetLabel;  // a label, a path or a SPEC: see datasetSpec()
    QString prompt_format = "auto";        // --prompt-format
    QString taxonomy = "paper-9-domains";  // --taxonomy (a built-in name or FILE.json)
    QString device = "cpu";                // --device: cpu | cuda | cuda:N
    QString dtype = "bf16";                // --dtype: bf16 | fp32
    qint64 limit = 0;                      // --limit; 0 = every item
    bool full_probs = false;               // --full-probs
    bool resume = false;                   // --resume
    QString out;                           // --out

    bool operator==(const CaptureRequest&) const = default;
};

// capture's --dataset SPEC for what the user typed or browsed to: the embedded label and
// "demo" -> "demo"; a SPEC with its prefix (mmlu:, mmlu-json:, jsonl:) as it is; a folder
// -> "mmlu:DIR"; a *.jsonl file -> "jsonl:FILE"; any other file -> "mmlu-json:FILE".
QString datasetSpec(const QString& text);

// The arguments after the executable: "capture", then one option per field that differs
// from "not given" (no --limit for 0, no flags when off).
QStringList captureArguments(const CaptureRequest& request);

// A command line a user can paste into a POSIX shell (arguments quoted where needed).
QString shellCommandLine(const QString& program, const QStringList& arguments);

// One progress line of capture's stderr:
//   "capture: 12/285 samples  340 tok/s  elapsed 0m05s  ETA 1m55s"
struct CaptureProgress {
    qint64 done = 0, total = 0;
    double tokens_per_second = 0;
    QString elapsed, eta;  // as capture writes them ("0m05s", "1h02m")
};
std::optional<CaptureProgress> parseProgressLine(const QString& line);

// "capture: interrupted after N of M samples; ..." -> N (the samples the trace keeps).
std::optional<qint64> parseInterruptedLine(const QString& line);

// capture rewrites its progress line in place ('\r', no newline), so its stderr is cut into
// lines at '\r' as well as '\n'. The line being written (not yet ended) is kept as pending();
// a progress line is complete once the whitespace after its ETA has arrived.
class StderrLineSplitter {
public:
    QStringList feed(const QByteArray& chunk);  // the lines this chunk completed, trimmed, non-empty
    QString pending() const;                    // the unterminated rest, trimmed
    // pending() once it ends in whitespace (capture pads its progress line with spaces, so a
    // progress line written whole qualifies); empty otherwise.
    QString settledPending() const;
    QString takePending();                      // pending(), and forgets it (at process exit)

private:
    QByteArray pending_;
};

// How a capture ended.
struct CaptureOutcome {
    enum class Kind { Done, Cancelled, Failed };
    Kind kind = Kind::Failed;
    int exit_code = -1;          // -1 when the process did not exit normally
    qint64 samples_kept = -1;    // Cancelled: the samples the trace holds, when capture said
    QString message;             // Failed: one line for the user; Cancelled: capture's note
};

// Runs one capture at a time and reports its progress and end as signals.
class CaptureProcess : public QObject {
    Q_OBJECT
public:
    explicit CaptureProcess(QObject* parent = nullptr);
    // A capture still running is asked to stop (SIGINT) and given a few seconds to close its
    // trace; after that it is killed.
    ~CaptureProcess() override;

    void start(const QString& executable, const CaptureRequest& request);
    bool isRunning() const;
    // Asks the capture to stop after the sample in flight (SIGINT). Returns false when nothing
    // runs. A second call while it is stopping kills it (the trace may then lose its tail).
    bool cancel();
    bool cancelRequested() const { return cancel_requested_; }

signals:
    void progress(const ca::ui::CaptureProgress& progress);
    void stderrLine(const QString& line);  // every complete line, progress lines included
    void finished(const ca::ui::CaptureOutcome& outcome);

private:
    void readStderr();
    void handleLine(const QString& line);
    void onFinished(int exit_code, QProcess::ExitStatus status);
    void onError(QProcess::ProcessError error);

    QProcess* process_ = nullptr;
    StderrLineSplitter splitter_;
    QString program_;
    QString last_error_line_, last_line_;
    qint64 last_progress_done_ = -1, samples_kept_ = -1;
    bool cancel_requested_ = false, finished_emitted_ = false;
};

}  // namespace ca::ui

Q_DECLARE_METATYPE(ca::ui::CaptureProgress)
Q_DECLARE_METATYPE(ca::ui::CaptureOutcome)
