// The capture dialog: the command line it builds from its fields, how it reads capture's
// progress, and a whole run against stand-in scripts that behave like `committee-audit
// capture` (progress rewritten in place with '\r', exit 0 / 2 / 130 on SIGINT).
#include "ui/capture/capture_dialog.h"
#include "ui/capture/capture_process.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFileInfo>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QProcess>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTest>

#include <gtest/gtest.h>

#include <cstdio>
#include <vector>

namespace ca::ui {
namespace {

// Writes an executable bash script whose body runs after `out` is set from --out.
QString writeScript(const QTemporaryDir& dir, const QString& name, const QString& body) {
    const QString path = dir.filePath(name);
    QFile file(path);
    EXPECT_TRUE(file.open(QIODevice::WriteOnly));
    file.write(("#!/bin/bash\n"
                "printf '%s\\n' \"$@\" > \"$0.args\"\n"
                "out=; prev=; for a in \"$@\"; do [ \"$prev\" = --out ] && out=$a; prev=$a; done\n" +
                body)
                   .toUtf8());
    file.close();
    file.setPermissions(file.permissions() | QFileDevice::ExeOwner);
    return path;
}

// One progress line exactly as capture_runner.cpp writes it (same format string).
QString progressLine(long long done, size_t total, double tok_s, const char* elapsed, const char* eta) {
    char buf[200];
    std::snprintf(buf, sizeof buf, "\rcapture: %lld/%zu samples  %.0f tok/s  elapsed %s  ETA %s   ", done,
                  total, tok_s, elapsed, eta);
    return QString::fromLatin1(buf);
}

// printf with the text in single quotes for bash (the texts here hold no single quote).
QString bashPrintf(const QString& text) {
    QString escaped = text;
    escaped.replace("\r", "\\r").replace("\n", "\\n").replace("%", "%%");
    return "printf '" + escaped + "' >&2\n";
}

class CaptureDialogTest : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(dir_.isValid());
        settings_ = std::make_unique<QSettings>(dir_.filePath("settings.ini"), QSettings::IniFormat);
        model_ = dir_.filePath("model");
        QDir().mkpath(model_);
    }

    // A dialog filled with a valid request, pointed at `script`.
    std::unique_ptr<CaptureDialog> dialogFor(const QString& script) {
        auto dialog = std::make_unique<CaptureDialog>(nullptr, settings_.get());
        dialog->setExecutable(script);
        CaptureRequest r;
        r.model_dir = model_;
        r.out = dir_.filePath("trace.h5");
        dialog->setRequest(r);
        return dialog;
    }

    QTemporaryDir dir_;
    std::unique_ptr<QSettings> settings_;
    QString model_;
};

TEST(CaptureDatasetSpec, MapsTheEmbeddedLabelFoldersAndFilesToCaptureSpecs) {
    QTemporaryDir dir;
    EXPECT_EQ(datasetSpec(kEmbeddedDatasetLabel), "demo");
    EXPECT_EQ(datasetSpec("demo"), "demo");
    EXPECT_EQ(datasetSpec(dir.path()), "mmlu:" + dir.path());
    EXPECT_EQ(datasetSpec("/data/mmlu.jsonl"), "jsonl:/data/mmlu.jsonl");
    EXPECT_EQ(datasetSpec("/data/MMLU.json"), "mmlu-json:/data/MMLU.json");
    EXPECT_EQ(datasetSpec("mmlu:/data/mmlu:dev"), "mmlu:/data/mmlu:dev");  // a SPEC as typed
    EXPECT_EQ(datasetSpec("  "), "");
}

TEST_F(CaptureDialogTest, BuildsTheCaptureArgumentsFromItsFields) {
    CaptureDialog dialog(nullptr, settings_.get());
    dialog.findChild<QLineEdit*>("modelDir")->setText("/models/olmoe");
    dialog.findChild<QComboBox*>("dataset")->setEditText("/data/MMLU.json");
    dialog.findChild<QComboBox*>("promptFormat")->setEditText("5shot+chat");
    dialog.findChild<QComboBox*>("taxonomy")->setEditText("mmlu-categories");
    dialog.findChild<QComboBox*>("device")->setEditText("cuda:1");
    dialog.findChild<QComboBox*>("dtype")->setCurrentText("fp32");
    dialog.findChild<QSpinBox*>("limit")->setValue(40);
    dialog.findChild<QCheckBox*>("fullProbs")->setChecked(true);
    dialog.findChild<QLineEdit*>("out")->setText("/tmp/my trace.h5");

    const QStringList expected{"capture",         "--model",    "/models/olmoe",
                               "--dataset",       "mmlu-json:/data/MMLU.json",
                               "--out",           "/tmp/my trace.h5",
                               "--prompt-format", "5shot+chat", "--taxonomy",
                               "mmlu-categories", "--device",   "cuda:1",
                               "--dtype",         "fp32",       "--limit",
                               "40",              "--full-probs"};
    EXPECT_EQ(captureArguments(dialog.request()), expected);
    // The command line shown to the user quotes what a shell would split.
    EXPECT_TRUE(dialog.findChild<QLineEdit*>("commandLine")->text().endsWith(
        "--out '/tmp/my trace.h5' --prompt-format 5shot+chat --taxonomy mmlu-categories --device cuda:1 "
        "--dtype fp32 --limit 40 --full-probs"));
}

TEST(CaptureArguments, LeavesOutLimitZeroAndFlagsThatAreOff) {
    CaptureRequest r;  // defaults: embedded dataset, auto, paper-9-domains, cpu, bf16
    r.model_dir = "m";
    r.out = "t.h5";
    EXPECT_EQ(captureArguments(r),
              (QStringList{"capture", "--model", "m", "--dataset", "demo", "--out", "t.h5", "--prompt-format",
                           "auto", "--taxonomy", "paper-9-domains", "--device", "cpu", "--dtype", "bf16"}));
    r.resume = true;
    EXPECT_EQ(captureArguments(r).last(), "--resume");
}

TEST(CaptureProgressLine, ReadsTheLineCaptureWrites) {
    const auto p = parseProgressLine(progressLine(12, 285, 340.4, "0m05s", "1h02m"));
    ASSERT_TRUE(p.has_value());
    EXPECT_EQ(p->done, 12);
    EXPECT_EQ(p->total, 285);
    EXPECT_DOUBLE_EQ(p->tokens_per_second, 340);
    EXPECT_EQ(p->elapsed, "0m05s");
    EXPECT_EQ(p->eta, "1h02m");
    EXPECT_FALSE(parseProgressLine("capture: wrote 3 samples to t.h5").has_value());
    EXPECT_EQ(parseInterruptedLine("capture: interrupted after 7 of 285 samples; t.h5 is valid, continue "
                                   "with --resume"),
              7);
}

TEST(CaptureStderr, SplitsAtCarriageReturnsAndKeepsTheLineBeingWritten) {
    StderrLineSplitter splitter;
    EXPECT_EQ(splitter.feed("\rcapture: 1/3 samples  5 tok/s  elapsed 0m01s  E"), QStringList{});
    EXPECT_EQ(splitter.settledPending(), "");  // cut in the middle: not yet complete
    EXPECT_EQ(splitter.feed("TA 0m02s   "), QStringList{});
    EXPECT_EQ(splitter.settledPending(), "capture: 1/3 samples  5 tok/s  elapsed 0m01s  ETA 0m02s");
    EXPECT_EQ(splitter.feed("\rcapture: 2/3 samples"),
              QStringList{"capture: 1/3 samples  5 tok/s  elapsed 0m01s  ETA 0m02s"});
    EXPECT_EQ(splitter.feed("\nerror one\nerror two"), QStringList({"capture: 2/3 samples", "error one"}));
    EXPECT_EQ(splitter.takePending(), "error two");
    EXPECT_EQ(splitter.pending(), "");
}

TEST_F(CaptureDialogTest, ShowsProgressAndEmitsTraceReadyWhenTheCaptureSucceeds) {
    QString body;
    body += bashPrintf(progressLine(1, 3, 100, "0m01s", "0m02s")) + "sleep 0.1\n";
    body += bashPrintf(progressLine(2, 3, 200, "0m02s", "0m01s")) + "sleep 0.1\n";
    body += bashPrintf(progressLine(3, 3, 300, "0m03s", "0m00s"));
    body += "printf '\\ncapture: wrote 3 samples to %s\\n' \"$out\" >&2\nexit 0\n";
    const QString script = writeScript(dir_, "capture_ok.sh", body);
    auto dialog = dialogFor(script);
    std::vector<qint64> seen;
    QObject::connect(dialog->findChild<CaptureProcess*>(), &CaptureProcess::progress,
            [&](const CaptureProgress& p) { seen.push_back(p.done * 100 + p.total); });
    QSignalSpy ready(dialog.get(), &CaptureDialog::traceReady);
    dialog->show();

    QTest::mouseClick(dialog->findChild<QPushButton*>("run"), Qt::LeftButton);
    ASSERT_TRUE(ready.wait(10000));
    EXPECT_EQ(ready.at(0).at(0).toString(), dir_.filePath("trace.h5"));
    EXPECT_EQ(seen, (std::vector<qint64>{103, 203, 303}));  // done*100 + total, once each
    EXPECT_EQ(dialog->findChild<QLabel*>("samples")->text(),
              "3 / 3 samples · 300 tok/s · elapsed 0m03s · ETA 0m00s");
    EXPECT_EQ(dialog->findChild<QProgressBar*>("progress")->value(),
              dialog->findChild<QProgressBar*>("progress")->maximum());
    EXPECT_EQ(dialog->findChild<QLabel*>("lastLine")->text(),
              "capture: wrote 3 samples to " + dir_.filePath("trace.h5"));
    EXPECT_EQ(dialog->result(), QDialog::Accepted);

    // The child received exactly the dialog's arguments.
    QFile args(script + ".args");
    ASSERT_TRUE(args.open(QIODevice::ReadOnly));
    EXPECT_EQ(QString::fromUtf8(args.readAll()).split('\n', Qt::SkipEmptyParts),
              captureArguments(dialog->request()));
}

TEST_F(CaptureDialogTest, ShowsTheOneLineErrorWhenTheCaptureExitsWithTwo) {
    const QString script = writeScript(
        dir_, "capture_bad.sh", "echo \"committee-audit: $out: cannot open (no such directory)\" >&2\nexit 2\n");
    auto dialog = dialogFor(script);
    dialog->findChild<QLineEdit*>("out")->setText("/nonexistent/t.h5");
    QSignalSpy ready(dialog.get(), &CaptureDialog::traceReady);
    dialog->show();
    dialog->startCapture();

    QMessageBox* box = nullptr;
    ASSERT_TRUE(QTest::qWaitFor([&] { return (box = dialog->findChild<QMessageBox*>("captureError")); }, 10000));
    EXPECT_EQ(box->text(), "/nonexistent/t.h5: cannot open (no such directory)");
    EXPECT_EQ(dialog->statusText(), "failed: /nonexistent/t.h5: cannot open (no such directory)");
    EXPECT_EQ(ready.count(), 0);
    EXPECT_FALSE(dialog->isRunning());
    EXPECT_TRUE(dialog->findChild<QPushButton*>("run")->isEnabled());
}

TEST_F(CaptureDialogTest, CancelSendsSigintAndReportsTheSamplesTheTraceKeeps) {
    QString body = "trap 'printf \"\\\\ncapture: interrupted after 2 of 10 samples; %s is valid, continue with "
                   "--resume\\\\n\" \"$out\" >&2; exit 130' INT\n";
    body += bashPrintf(progressLine(1, 10, 50, "0m01s", "0m09s"));
    body += bashPrintf(progressLine(2, 10, 60, "0m02s", "0m08s"));
    body += "for i in $(seq 400); do sleep 0.05; done\nexit 0\n";  // 20 s, unless interrupted
    auto dialog = dialogFor(writeScript(dir_, "capture_wait.sh", body));
    QSignalSpy ready(dialog.get(), &CaptureDialog::traceReady);
    dialog->show();
    dialog->startCapture();

    // The 2/10 line has no line end yet: it must show while the capture is still running.
    auto* samples = dialog->findChild<QLabel*>("samples");
    ASSERT_TRUE(QTest::qWaitFor([&] { return samples->text().startsWith("2 / 10 samples"); }, 10000));
    EXPECT_EQ(dialog->findChild<QProgressBar*>("progress")->value(), 2);
    EXPECT_EQ(dialog->findChild<QProgressBar*>("progress")->maximum(), 10);
    ASSERT_TRUE(dialog->isRunning());

    QTest::mouseClick(dialog->findChild<QPushButton*>("stop"), Qt::LeftButton);
    ASSERT_TRUE(QTest::qWaitFor([&] { return !dialog->isRunning(); }, 10000));
    EXPECT_TRUE(dialog->statusText().startsWith("cancelled: trace kept with 2 samples, resume with"))
        << dialog->statusText().toStdString();
    EXPECT_TRUE(dialog->statusText().endsWith("--resume")) << dialog->statusText().toStdString();
    EXPECT_TRUE(dialog->findChild<QCheckBox*>("resume")->isChecked());
    EXPECT_EQ(ready.count(), 0);
    EXPECT_EQ(dialog->findChild<QMessageBox*>("captureError"), nullptr);
}

TEST_F(CaptureDialogTest, ChecksTheFieldsBeforeStartingAnything) {
    const QString script = writeScript(dir_, "never.sh", "exit 0\n");
    auto dialog = dialogFor(script);
    dialog->findChild<QLineEdit*>("modelDir")->setText(dir_.filePath("no-such-model"));
    dialog->startCapture();
    EXPECT_FALSE(dialog->isRunning());
    auto* box = dialog->findChild<QMessageBox*>("captureError");
    ASSERT_NE(box, nullptr);
    EXPECT_EQ(box->text(), dir_.filePath("no-such-model") + ": not a directory");
    EXPECT_FALSE(QFile::exists(script + ".args"));
}

TEST_F(CaptureDialogTest, ReportsAnExecutableThatCannotStart) {
    auto dialog = dialogFor(dir_.filePath("missing-executable"));
    dialog->startCapture();
    QMessageBox* box = nullptr;
    ASSERT_TRUE(QTest::qWaitFor([&] { return (box = dialog->findChild<QMessageBox*>("captureError")); }, 10000));
    EXPECT_TRUE(box->text().startsWith(dir_.filePath("missing-executable") + ": cannot start"));
    EXPECT_FALSE(dialog->isRunning());
}

TEST_F(CaptureDialogTest, RemembersTheLastValuesUsed) {
    const QString script = writeScript(dir_, "capture_ok.sh", "exit 0\n");
    {
        auto dialog = dialogFor(script);
        dialog->findChild<QComboBox*>("dtype")->setCurrentText("fp32");
        dialog->findChild<QSpinBox*>("limit")->setValue(7);
        dialog->findChild<QComboBox*>("promptFormat")->setEditText("template:Q: {prompt}");
        dialog->findChild<QCheckBox*>("resume")->setChecked(true);
        QSignalSpy ready(dialog.get(), &CaptureDialog::traceReady);
        dialog->startCapture();
        ASSERT_TRUE(ready.wait(10000));
    }
    CaptureDialog again(nullptr, settings_.get());
    const CaptureRequest r = again.request();
    EXPECT_EQ(r.model_dir, model_);
    EXPECT_EQ(r.out, dir_.filePath("trace.h5"));
    EXPECT_EQ(r.dtype, "fp32");
    EXPECT_EQ(r.limit, 7);
    EXPECT_EQ(r.prompt_format, "template:Q: {prompt}");
    EXPECT_EQ(r.dataset, kEmbeddedDatasetLabel);
    EXPECT_FALSE(r.resume);  // resume belongs to one interrupted trace: not remembered
}

// The random-weight OLMoE that `committee-audit demo` writes (built once per test run into the
// test's directory), or CA_TEST_CAPTURE_MODEL=<checkpoint dir> to use another one.
QString randomCheckpoint(const QDir& dir) {
    const QString given = qEnvironmentVariable("CA_TEST_CAPTURE_MODEL");
    if (!given.isEmpty()) return given;
    QProcess demo;
    demo.setProcessChannelMode(QProcess::MergedChannels);
    demo.start(CA_BINARY, {"demo", "--dir", dir.filePath("demo"), "--limit", "1"});
    if (!demo.waitForFinished(300000) || demo.exitCode() != 0) {
        ADD_FAILURE() << "committee-audit demo failed: " << demo.readAll().toStdString();
        return {};
    }
    return dir.filePath("demo/random-olmoe");
}

// Against the real executable: a capture of the embedded dataset is stopped after its first
// samples, then resumed to the end of a limit.
TEST_F(CaptureDialogTest, RealCaptureCancelsAndResumes) {
    if (!QFileInfo::exists(CA_BINARY)) GTEST_SKIP() << "the committee-audit executable is not built";
    const QString model = randomCheckpoint(dir_.path());
    ASSERT_FALSE(model.isEmpty());
    CaptureDialog dialog(nullptr, settings_.get());
    dialog.setExecutable(CA_BINARY);
    CaptureRequest r;
    r.model_dir = model;
    r.dtype = "fp32";
    r.limit = 40;
    r.out = dir_.filePath("real.h5");
    dialog.setRequest(r);
    QSignalSpy ready(&dialog, &CaptureDialog::traceReady);
    dialog.show();
    dialog.startCapture();
    auto* bar = dialog.findChild<QProgressBar*>("progress");
    ASSERT_TRUE(QTest::qWaitFor([&] { return bar->maximum() == 40 && bar->value() >= 1; }, 120000))
        << dialog.findChild<QLabel*>("lastLine")->text().toStdString();
    dialog.cancelCapture();
    ASSERT_TRUE(QTest::qWaitFor([&] { return !dialog.isRunning(); }, 60000));
    EXPECT_TRUE(dialog.statusText().startsWith("cancelled: trace kept with ")) << dialog.statusText().toStdString();
    ASSERT_TRUE(dialog.findChild<QCheckBox*>("resume")->isChecked());

    dialog.startCapture();  // Resume is ticked: continues the same trace
    ASSERT_TRUE(ready.wait(300000)) << dialog.statusText().toStdString();
    EXPECT_EQ(ready.at(0).at(0).toString(), r.out);
    EXPECT_TRUE(dialog.findChild<QLabel*>("samples")->text().startsWith("40 / 40 samples"));
}

}  // namespace
}  // namespace ca::ui
