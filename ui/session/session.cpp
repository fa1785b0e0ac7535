#include "ui/session/session.h"

#include "core/analysis/table_analysis.h"
#include "core/analysis/significance.h"
#include "core/io/authors_table.h"
#include "core/util/input_error.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QCoreApplication>
#include <QFileInfo>
#include <QPointer>

#include <exception>

namespace ca::ui {

std::mutex& hdf5Mutex() {
    static std::mutex mutex;
    return mutex;
}

Document::Kind kindOfPath(const QString& path) {
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == QLatin1String("csv") || suffix == QLatin1String("xlsx") || suffix == QLatin1String("xls"))
        return Document::Kind::AuthorsTable;
    return Document::Kind::Trace;
}

namespace {

// The analysis of a trace, phase 1 (everything but p-values and bootstrap intervals).
DocumentAnalysis analyseTrace(const TraceReader& reader, const AnalysisSettings& settings,
                              const std::atomic<bool>* cancel) {
    DocumentAnalysis out;
    out.settings = settings;
    TraceAnalysisRequest request;
    request.settings = settings.auditSettings();
    request.settings.permutations = 0;
    request.settings.bootstrap = 0;
    request.score_given = settings.scoreGiven();
    request.taxonomy = settings.taxonomy.toStdString();
    request.group_by = parseSampleLabel(settings.group_by.toStdString(), "group by");
    request.cancel = cancel;
    request.reader_mutex = &hdf5Mutex();  // held while reading, released for the audit
    out.result = analyzeTrace(reader, request);
    out.significance_pending = settings.permutations > 0 || settings.bootstrap > 0;
    return out;
}

// Phase 2: the permutation null and bootstrap for the committee table's p-values. The copy
// shares phase 1's observations (TraceAnalysis::obs); `cancel` stops it between replicates.
DocumentAnalysis addSignificance(const DocumentAnalysis& phase1, const std::atomic<bool>* cancel) {
    DocumentAnalysis out = phase1;
    const AuditSettings s = phase1.settings.auditSettings();
    AuditResult& audit = out.result.audit;
    EciOptions eci_options;
    eci_options.torch_sum_lanes = s.torch_sum_lanes;
    SignificanceSettings ss;
    ss.permutations = s.permutations;
    ss.bootstrap = s.bootstrap;
    ss.seed = s.seed;
    ss.confidence = s.confidence;
    ss.cancel = cancel;
    audit.significance = computeSignificance(*out.result.obs, audit.settings.variant, eci_options,
                                             audit.committee.settings, ss);
    audit.has_significance = true;
    out.significance_pending = false;
    return out;
}

DocumentAnalysis analyseTable(const QString& path, const AnalysisSettings& settings) {
    DocumentAnalysis out;
    out.settings = settings;
    const std::string source = path.toStdString();
    const authors::Table table = authors::readTable(source);
    AuditSettings s = settings.auditSettings();
    s.audit_k = 0;
    out.result.audit = auditAuthorsTable(table, s, source);
    out.result.score_reason = "the table's values (authors' score)";
    return out;
}

}  // namespace

Session::Session(QObject* parent) : QObject(parent) {
    pool_.setMaxThreadCount(1);  // one analysis at a time; each uses every core inside
    // The settings panel shows the current document's settings.
    connect(&selection_, &Selection::changed, this, [this](const SelectionState&, Selection::Fields what) {
        if (!(what & Selection::Document) || currentIndex() == last_current_) return;
        last_current_ = currentIndex();
        emit settingsChanged(settings());
    });
}

Session::~Session() {
    for (auto& slot : documents_)
        if (slot.cancel) slot.cancel->store(true);
    pool_.clear();
    pool_.waitForDone();
}

std::shared_ptr<const Document> Session::document(int index) const {
    if (index < 0 || index >= documentCount()) return nullptr;
    return documents_[static_cast<size_t>(index)].doc;
}

std::shared_ptr<const Document> Session::currentDocument() const {
    const int selected = selection_.state().document;
    if (auto doc = document(selected)) return doc;
    return document(0);
}

int Session::currentIndex() const {
    const int selected = selection_.state().document;
    if (selected >= 0 && selected < documentCount()) return selected;
    return documentCount() > 0 ? 0 : -1;
}

const AnalysisSettings& Session::settings() const {
    const int current = currentIndex();
    return current >= 0 ? settings(current) : settings_;
}

const AnalysisSettings& Session::settings(int index) const {
    if (index < 0 || index >= documentCount()) return settings_;
    return documents_[static_cast<size_t>(index)].settings;
}

void Session::setApplyToAll(bool all) {
    if (all == apply_to_all_) return;
    apply_to_all_ = all;
    emit applyToAllChanged(all);
}

int Session::indexOfId(uint64_t id) const {
    for (int i = 0; i < documentCount(); ++i)
        if (documents_[static_cast<size_t>(i)].id == id) return i;
    return -1;
}

int Session::indexOfPath(const QString& path) const {
    const QString canonical = QFileInfo(path).absoluteFilePath();
    for (int i = 0; i < documentCount(); ++i)
        if (documents_[static_cast<size_t>(i)].doc->path == canonical) return i;
    return -1;
}

bool Session::open(const QString& path) {
    const QString canonical = QFileInfo(path).absoluteFilePath();
    if (const int existing = indexOfPath(canonical); existing >= 0) {
        selection_.setDocument(existing);
        return true;
    }
    auto doc = std::make_shared<Document>();
    doc->path = canonical;
    doc->kind = kindOfPath(canonical);
    doc->name = QFileInfo(canonical).fileName();
    try {
        if (!QFileInfo(canonical).isFile())
            throw InputError(canonical.toStdString(), "no such file");
        if (doc->isTrace()) {
            std::lock_guard<std::mutex> lock(hdf5Mutex());
            doc->reader = std::make_shared<const TraceReader>(canonical.toStdString());
        } else {
            // Parsed again by the job; reading here reports a bad table at once.
            (void)authors::readTable(canonical.toStdString());
        }
    } catch (const std::exception& e) {
        emit openFailed(canonical, QString::fromStdString(e.what()));
        return false;
    }
    documents_.push_back(Slot{next_id_++, settings_, doc, 0, nullptr});
    refreshNames();
    const int index = documentCount() - 1;
    emit documentsChanged();
    emit fileOpened(canonical);
    if (selection_.state().document < 0) selection_.set(SelectionState{index, 0, -1, -1, -1, -1});
    startAnalysis(index);
    return true;
}

int Session::openCopy(int index) {
    if (index < 0 || index >= documentCount()) return -1;
    const Slot& original = documents_[static_cast<size_t>(index)];
    auto doc = std::make_shared<Document>(*original.doc);
    doc->analysis = nullptr;
    doc->error.clear();
    documents_.push_back(Slot{next_id_++, original.settings, doc, 0, nullptr});
    refreshNames();
    const int copy = documentCount() - 1;
    emit documentsChanged();
    startAnalysis(copy);
    return copy;
}

void Session::close(int index) {
    if (index < 0 || index >= documentCount()) return;
    if (auto& cancel = documents_[static_cast<size_t>(index)].cancel) cancel->store(true);
    documents_.erase(documents_.begin() + index);
    refreshNames();
    SelectionState s = selection_.state();
    if (s.document == index) s = SelectionState{documentCount() > 0 ? 0 : -1, documentCount() > 0 ? 0 : -1};
    else if (s.document > index) --s.document;
    selection_.set(s);
    emit documentsChanged();
    last_current_ = currentIndex();
    emit settingsChanged(settings());
}

void Session::closeAll() {
    while (documentCount() > 0) close(documentCount() - 1);
}

void Session::setSettings(const AnalysisSettings& settings) {
    const bool shown_changes = !(settings == this->settings());
    settings_ = settings;
    const int current = currentIndex();
    for (int i = 0; i < documentCount(); ++i) {
        Slot& slot = documents_[static_cast<size_t>(i)];
        if ((!apply_to_all_ && i != current) || slot.settings == settings) continue;
        slot.settings = settings;
        startAnalysis(i);
    }
    if (shown_changes) emit settingsChanged(settings);
}

bool Session::waitForIdle(int timeout_ms) {
    QDeadlineTimer deadline(timeout_ms);
    while (running_ > 0 && !deadline.hasExpired())
        QCoreApplication::processEvents(QEventLoop::AllEvents | QEventLoop::WaitForMoreEvents, 20);
    return running_ == 0;
}

void Session::refreshNames() {
    // File names, disambiguated by the parent folder when two files share one, and
    // numbered [2], [3], ... for further copies of one file.
    for (size_t i = 0; i < documents_.size(); ++i) {
        Slot& slot = documents_[i];
        const QFileInfo info(slot.doc->path);
        QString name = info.fileName();
        int same_name = 0, earlier_copies = 0;
        for (size_t j = 0; j < documents_.size(); ++j) {
            const QString& other = documents_[j].doc->path;
            same_name += QFileInfo(other).fileName() == name && other != slot.doc->path;
            earlier_copies += j < i && other == slot.doc->path;
        }
        if (same_name > 0) name = info.dir().dirName() + QLatin1Char('/') + name;
        if (earlier_copies > 0) name += QStringLiteral(" [%1]").arg(earlier_copies + 1);
        if (name != slot.doc->name) {
            auto copy = std::make_shared<Document>(*slot.doc);
            copy->name = name;
            slot.doc = copy;
        }
    }
}

void Session::startAnalysis(int index) {
    Slot& slot = documents_[static_cast<size_t>(index)];
    if (slot.cancel) slot.cancel->store(true);  // the stale job's result will be dropped
    slot.cancel = std::make_shared<std::atomic<bool>>(false);
    slot.generation = next_generation_++;

    const auto doc = slot.doc;
    const auto cancel = slot.cancel;
    const uint64_t generation = slot.generation;
    const uint64_t id = slot.id;
    const AnalysisSettings settings = slot.settings;
    QPointer<Session> self(this);
    ++running_;
    if (running_ == 1) emit busyChanged(true, tr("Analysing %1").arg(doc->name));

    pool_.start([self, doc, cancel, generation, id, settings] {
        auto deliver = [&](std::shared_ptr<const DocumentAnalysis> analysis, const QString& error) {
            if (cancel->load()) return;
            QMetaObject::invokeMethod(
                self.data(),
                [self, id, generation, analysis, error] {
                    if (self) self->publish(id, generation, analysis, error);
                },
                Qt::QueuedConnection);
        };
        try {
            if (doc->isTrace()) {
                auto phase1 = std::make_shared<const DocumentAnalysis>(
                    analyseTrace(*doc->reader, settings, cancel.get()));
                deliver(phase1, {});
                if (phase1->significance_pending && !cancel->load())
                    deliver(std::make_shared<const DocumentAnalysis>(addSignificance(*phase1, cancel.get())), {});
            } else {
                deliver(std::make_shared<const DocumentAnalysis>(analyseTable(doc->path, settings)), {});
            }
        } catch (const AnalysisCancelled&) {
        } catch (const std::exception& e) {
            deliver(nullptr, QString::fromStdString(e.what()));
        }
        QMetaObject::invokeMethod(
            self.data(), [self] { if (self) self->jobFinished(); }, Qt::QueuedConnection);
    });
}

void Session::jobFinished() {
    if (--running_ == 0) emit busyChanged(false, QString());
}

void Session::publish(uint64_t id, uint64_t generation,
                      std::shared_ptr<const DocumentAnalysis> analysis, const QString& error) {
    const int index = indexOfId(id);
    if (index < 0) return;  // closed meanwhile
    Slot& slot = documents_[static_cast<size_t>(index)];
    if (slot.generation != generation) return;  // stale: newer settings are being analysed
    auto copy = std::make_shared<Document>(*slot.doc);
    if (analysis) copy->analysis = std::move(analysis);
    copy->error = error;
    slot.doc = copy;
    if (!error.isEmpty()) emit analysisFailed(index, error);
    emit analysisChanged(index);
}

}  // namespace ca::ui
