#include "ui/capture/capture_process.h"

#include <QFileInfo>
#include <QRegularExpression>

#include <csignal>
#include <sys/types.h>

namespace ca::ui {

namespace {

bool hasSpecPrefix(const QString& text) {
    return text.startsWith("mmlu:") || text.startsWith("mmlu-json:") || text.startsWith("jsonl:");
}

// Lines capture itself writes (progress, "wrote", "interrupted") as opposed to errors.
bool isCaptureNote(const QString& line) { return line.startsWith("capture: "); }

}  // namespace

QString datasetSpec(const QString& text) {
    const QString t = text.trimmed();
    if (t.isEmpty()) return {};
    if (t == kEmbeddedDatasetLabel || t == "demo") return "demo";
    if (hasSpecPrefix(t)) return t;
    const QFileInfo info(t);
    if (info.isDir()) return "mmlu:" + t;
    if (t.endsWith(".jsonl", Qt::CaseInsensitive)) return "jsonl:" + t;
    return "mmlu-json:" + t;
}

QStringList captureArguments(const CaptureRequest& r) {
    QStringList args{"capture", "--model", r.model_dir, "--dataset", datasetSpec(r.dataset),
                     "--out", r.out};
    if (!r.prompt_format.isEmpty()) args << "--prompt-format" << r.prompt_format;
    if (!r.taxonomy.isEmpty()) args << "--taxonomy" << r.taxonomy;
    if (!r.device.isEmpty()) args << "--device" << r.device;
    if (!r.dtype.isEmpty()) args << "--dtype" << r.dtype;
    if (r.limit > 0) args << "--limit" << QString::number(r.limit);
    if (r.full_probs) args << "--full-probs";
    if (r.resume) args << "--resume";
    return args;
}

QString shellCommandLine(const QString& program, const QStringList& arguments) {
    static const QRegularExpression safe(QStringLiteral("^[A-Za-z0-9_./:=+,@%-]+$"));
    QStringList words;
    for (const QString& word : QStringList{program} + arguments) {
        if (safe.match(word).hasMatch()) {
            words << word;
        } else {
            QString quoted = word;
            quoted.replace("'", "'\\''");
            words << "'" + quoted + "'";
        }
    }
    return words.join(' ');
}

std::optional<CaptureProgress> parseProgressLine(const QString& line) {
    // capture_runner.cpp: "capture: %lld/%zu samples  %.0f tok/s  elapsed %s  ETA %s"
    static const QRegularExpression re(QStringLiteral(
        R"(^capture: (\d+)/(\d+) samples\s+([0-9.]+) tok/s\s+elapsed (\S+)\s+ETA (\S+)\s*$)"));
    const auto m = re.match(line.trimmed());
    if (!m.hasMatch()) return std::nullopt;
    CaptureProgress p;
    p.done = m.captured(1).toLongLong();
    p.total = m.captured(2).toLongLong();
    p.tokens_per_second = m.captured(3).toDouble();
    p.elapsed = m.captured(4);
    p.eta = m.captured(5);
    return p;
}

std::optional<qint64> parseInterruptedLine(const QString& line) {
    static const QRegularExpression re(QStringLiteral(R"(^capture: interrupted after (\d+) of \d+ samples)"));
    const auto m = re.match(line.trimmed());
    if (!m.hasMatch()) return std::nullopt;
    return m.captured(1).toLongLong();
}

QStringList StderrLineSplitter::feed(const QByteArray& chunk) {
    pending_ += chunk;
    QStringList lines;
    qsizetype start = 0;
    for (qsizetype i = 0; i < pending_.size(); ++i) {
        if (pending_[i] != '\n' && pending_[i] != '\r') continue;
        const QString line = QString::fromUtf8(pending_.mid(start, i - start)).trimmed();
        if (!line.isEmpty()) lines << line;
        start = i + 1;
    }
    pending_.remove(0, start);
    return lines;
}

QString StderrLineSplitter::pending() const { return QString::fromUtf8(pending_).trimmed(); }

QString StderrLineSplitter::settledPending() const {
    return !pending_.isEmpty() && (pending_.back() == ' ' || pending_.back() == '\t') ? pending() : QString();
}

QString StderrLineSplitter::takePending() {
    const QString rest = pending();
    pending_.clear();
    return rest;
}

CaptureProcess::CaptureProcess(QObject* parent) : QObject(parent) {
    qRegisterMetaType<CaptureProgress>();
    qRegisterMetaType<CaptureOutcome>();
}

CaptureProcess::~CaptureProcess() {
    if (!isRunning()) return;
    process_->disconnect(this);
    ::kill(static_cast<pid_t>(process_->processId()), SIGINT);
    if (!process_->waitForFinished(5000)) {
        process_->kill();
        process_->waitForFinished(1000);
    }
}

void CaptureProcess::start(const QString& executable, const CaptureRequest& request) {
    if (isRunning()) return;
    if (process_) process_->deleteLater();
    process_ = new QProcess(this);
    splitter_ = {};
    program_ = executable;
    last_error_line_.clear();
    last_line_.clear();
    last_progress_done_ = samples_kept_ = -1;
    cancel_requested_ = finished_emitted_ = false;

    process_->setStandardOutputFile(QProcess::nullDevice());  // capture reports on stderr only
    connect(process_, &QProcess::readyReadStandardError, this, &CaptureProcess::readStderr);
    connect(process_, &QProcess::finished, this, &CaptureProcess::onFinished);
    connect(process_, &QProcess::errorOccurred, this, &CaptureProcess::onError);
    process_->start(executable, captureArguments(request));
}

bool CaptureProcess::isRunning() const { return process_ && process_->state() != QProcess::NotRunning; }

bool CaptureProcess::cancel() {
    if (!isRunning()) return false;
    if (cancel_requested_ || process_->state() == QProcess::Starting) {
        process_->kill();
    } else {
        cancel_requested_ = true;
        ::kill(static_cast<pid_t>(process_->processId()), SIGINT);
    }
    cancel_requested_ = true;
    return true;
}

void CaptureProcess::readStderr() {
    for (const QString& line : splitter_.feed(process_->readAllStandardError())) handleLine(line);
    // The progress line has no newline until the next one replaces it: read it as it stands.
    if (const auto p = parseProgressLine(splitter_.settledPending()); p && p->done != last_progress_done_) {
        last_progress_done_ = p->done;
        emit progress(*p);
    }
}

void CaptureProcess::handleLine(const QString& line) {
    last_line_ = line;
    emit stderrLine(line);
    if (const auto p = parseProgressLine(line)) {
        if (p->done != last_progress_done_) {
            last_progress_done_ = p->done;
            emit progress(*p);
        }
        return;
    }
    if (const auto kept = parseInterruptedLine(line)) samples_kept_ = *kept;
    // The main program writes "committee-audit: FILE: problem"; a usage error is the first
    // line CLI11 writes (then "Run with --help ...").
    if (line.startsWith("committee-audit: ") || (last_error_line_.isEmpty() && !isCaptureNote(line)))
        last_error_line_ = line;
}

void CaptureProcess::onFinished(int exit_code, QProcess::ExitStatus status) {
    readStderr();
    if (const QString rest = splitter_.takePending(); !rest.isEmpty()) handleLine(rest);
    if (finished_emitted_) return;
    finished_emitted_ = true;

    CaptureOutcome outcome;
    outcome.exit_code = status == QProcess::NormalExit ? exit_code : -1;
    if (status == QProcess::NormalExit && exit_code == 0) {
        outcome.kind = CaptureOutcome::Kind::Done;
        outcome.message = last_line_;
    } else if ((status == QProcess::NormalExit && exit_code == 130) || cancel_requested_) {
        // 130: capture stopped on SIGINT/SIGTERM, trace valid. A kill (second cancel, or a
        // signal before capture installed its handler) leaves no count to report.
        outcome.kind = CaptureOutcome::Kind::Cancelled;
        outcome.samples_kept = samples_kept_;
        outcome.message = last_line_;
    } else {
        outcome.kind = CaptureOutcome::Kind::Failed;
        QString line = last_error_line_.isEmpty() ? last_line_ : last_error_line_;
        if (line.startsWith("committee-audit: ")) line = line.mid(int(qstrlen("committee-audit: ")));
        if (status != QProcess::NormalExit)
            outcome.message = "capture stopped unexpectedly (crashed or killed)" +
                              (line.isEmpty() ? QString() : ": " + line);
        else
            outcome.message = line.isEmpty() ? QString("capture failed with exit code %1").arg(exit_code) : line;
    }
    emit finished(outcome);
}

void CaptureProcess::onError(QProcess::ProcessError error) {
    if (error != QProcess::FailedToStart || finished_emitted_) return;
    finished_emitted_ = true;
    CaptureOutcome outcome;
    outcome.kind = CaptureOutcome::Kind::Failed;
    outcome.message = QString("%1: cannot start (%2)").arg(program_, process_->errorString());
    emit finished(outcome);
}

}  // namespace ca::ui
