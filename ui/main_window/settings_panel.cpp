#include "ui/main_window/settings_panel.h"

#include "core/analysis/routing_observations.h"
#include "core/data/taxonomy.h"
#include "ui/session/session.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QSpinBox>
#include <QTimer>

#include <exception>

namespace ca::ui {

namespace {
constexpr const char* kBrowse = "Other file…";
}

SettingsPanel::SettingsPanel(Session* session, QWidget* parent) : QWidget(parent), session_(session) {
    auto* form = new QFormLayout(this);

    score_ = new QComboBox(this);
    score_->addItem(tr("Automatic"), QStringLiteral("auto"));
    score_->addItem(tr("Paper ECI"), QStringLiteral("paper"));
    score_->addItem(tr("Authors' score"), QStringLiteral("authors"));
    score_->addItem(tr("Frequency"), QStringLiteral("frequency"));
    score_->setItemData(0, tr("The paper's ECI when the trace holds the full router softmax, else the authors' score"), Qt::ToolTipRole);
    score_->setItemData(1, tr("Mean full router softmax over the domain's samples (paper Eq. 3)"), Qt::ToolTipRole);
    score_->setItemData(2, tr("Activation frequency × mean min–max-normalised top-k weight (the authors' released code)"), Qt::ToolTipRole);
    score_->setItemData(3, tr("Share of the domain's observations whose top-k holds the expert"), Qt::ToolTipRole);
    score_->setToolTip(tr("What ranks the experts of each (layer, domain) before the committee audit"));
    form->addRow(tr("&Score"), score_);

    positions_ = new QComboBox(this);
    positions_->setEditable(true);
    positions_->addItems({QStringLiteral("last"), QStringLiteral("all"), QStringLiteral("-8:")});
    positions_->setToolTip(tr("Token positions of each prompt: last (the paper), all, or a Python-style "
                              "range A:B (negative counts from the end)"));
    form->addRow(tr("&Positions"), positions_);

    presence_ = new QDoubleSpinBox(this);
    presence_->setRange(0.01, 1.0);
    presence_->setSingleStep(0.05);
    presence_->setDecimals(2);
    presence_->setToolTip(tr("γ: an expert must be in the top-k of at least ⌈γ·D⌉ domains"));
    form->addRow(tr("Presence &γ"), presence_);

    audit_k_ = new QSpinBox(this);
    audit_k_->setRange(0, 1024);
    audit_k_->setSpecialValueText(tr("model's k"));
    audit_k_->setToolTip(tr("Length of each domain's ranked expert list (0 = the model's top-k)"));
    form->addRow(tr("Audit &k"), audit_k_);

    group_by_ = new QComboBox(this);
    group_by_->addItem(tr("Domain"), QStringLiteral("domain"));
    group_by_->addItem(tr("Subject"), QStringLiteral("subject"));
    group_by_->addItem(tr("Cognitive label"), QStringLiteral("cognitive"));
    group_by_->addItem(tr("Difficulty label"), QStringLiteral("difficulty"));
    group_by_->setToolTip(tr("Which label of each sample forms the groups the audit compares. "
                             "Cognitive and difficulty come with the authors' data."));
    form->addRow(tr("&Group by"), group_by_);

    taxonomy_ = new QComboBox(this);
    taxonomy_->addItem(tr("Trace's domains"), QString());
    for (const std::string& name : data::Taxonomy::builtinNames())
        taxonomy_->addItem(QString::fromStdString(name), QString::fromStdString(name));
    taxonomy_->addItem(tr(kBrowse), QStringLiteral("\x01browse"));
    taxonomy_->setToolTip(tr("Relabel samples by subject with a taxonomy (editable JSON, see "
                             "docs/taxonomies.md); with Group by: Domain"));
    form->addRow(tr("&Taxonomy"), taxonomy_);

    permutations_ = new QSpinBox(this);
    permutations_->setRange(0, 100000);
    permutations_->setSingleStep(100);
    permutations_->setSpecialValueText(tr("none"));
    permutations_->setToolTip(tr("Label shuffles of the permutation null behind the committee table's p-values"));
    form->addRow(tr("Per&mutations"), permutations_);

    seed_ = new QSpinBox(this);
    seed_->setRange(0, 1 << 30);
    form->addRow(tr("S&eed"), seed_);

    apply_to_all_ = new QCheckBox(tr("Apply to all open documents"), this);
    apply_to_all_->setChecked(session_->applyToAll());
    apply_to_all_->setToolTip(tr("Off: changes apply to the current document only. With File ▸ Open "
                                 "a copy, one trace can be compared under two settings."));
    form->addRow(apply_to_all_);
    connect(apply_to_all_, &QCheckBox::toggled, session_, &Session::setApplyToAll);
    connect(session_, &Session::applyToAllChanged, this, [this](bool all) {
        const QSignalBlocker block(apply_to_all_);
        apply_to_all_->setChecked(all);
        showSettings(session_->settings());
    });
    applies_to_ = new QLabel(this);
    applies_to_->setWordWrap(true);
    form->addRow(applies_to_);
    connect(session_, &Session::documentsChanged, this, [this] { showSettings(session_->settings()); });

    problem_ = new QLabel(this);
    problem_->setWordWrap(true);
    problem_->setStyleSheet(QStringLiteral("color: #c0392b"));
    form->addRow(problem_);

    apply_timer_ = new QTimer(this);
    apply_timer_->setSingleShot(true);
    apply_timer_->setInterval(400);
    connect(apply_timer_, &QTimer::timeout, this, &SettingsPanel::applyNow);

    showSettings(session_->settings());
    connect(session_, &Session::settingsChanged, this, &SettingsPanel::showSettings);

    auto changed = [this] { scheduleApply(); };
    connect(score_, &QComboBox::currentIndexChanged, this, changed);
    connect(positions_, &QComboBox::currentTextChanged, this, changed);
    connect(presence_, &QDoubleSpinBox::valueChanged, this, changed);
    connect(audit_k_, &QSpinBox::valueChanged, this, changed);
    connect(permutations_, &QSpinBox::valueChanged, this, changed);
    connect(seed_, &QSpinBox::valueChanged, this, changed);
    connect(group_by_, &QComboBox::currentIndexChanged, this, [this] {
        taxonomy_->setEnabled(group_by_->currentData().toString() == QLatin1String("domain"));
        scheduleApply();
    });
    connect(taxonomy_, &QComboBox::currentIndexChanged, this, [this] {
        if (taxonomy_->currentData().toString() == QLatin1String("\x01browse")) browseTaxonomy();
        else scheduleApply();
    });
    connect(positions_->lineEdit(), &QLineEdit::returnPressed, this, &SettingsPanel::applyNow);
}

AnalysisSettings SettingsPanel::currentSettings() const {
    AnalysisSettings s = session_->settings();
    s.score = score_->currentData().toString();
    s.positions = positions_->currentText().trimmed();
    s.presence_ratio = presence_->value();
    s.audit_k = audit_k_->value();
    s.group_by = group_by_->currentData().toString();
    const QString taxonomy = taxonomy_->currentData().toString();
    if (taxonomy != QLatin1String("\x01browse")) s.taxonomy = taxonomy;
    if (s.group_by != QLatin1String("domain")) s.taxonomy.clear();  // a taxonomy maps subjects
    s.permutations = permutations_->value();
    s.seed = static_cast<quint64>(seed_->value());
    return s;
}

void SettingsPanel::showSettings(const AnalysisSettings& s) {
    updating_ = true;
    score_->setCurrentIndex(std::max(0, score_->findData(s.score)));
    positions_->setCurrentText(s.positions);
    presence_->setValue(s.presence_ratio);
    audit_k_->setValue(s.audit_k);
    int t = taxonomy_->findData(s.taxonomy);
    if (t < 0) {  // a JSON file chosen earlier
        taxonomy_->insertItem(taxonomy_->count() - 1, QFileInfo(s.taxonomy).fileName(), s.taxonomy);
        t = taxonomy_->findData(s.taxonomy);
    }
    taxonomy_->setCurrentIndex(t);
    group_by_->setCurrentIndex(std::max(0, group_by_->findData(s.group_by)));
    taxonomy_->setEnabled(s.group_by == QLatin1String("domain"));
    permutations_->setValue(s.permutations);
    seed_->setValue(static_cast<int>(s.seed));
    const auto doc = session_->currentDocument();
    applies_to_->setText(apply_to_all_->isChecked() || !doc ? tr("Changes re-analyse every open document.")
                                                            : tr("Changes re-analyse %1 only.").arg(doc->name));
    updating_ = false;
}

void SettingsPanel::scheduleApply() {
    if (!updating_) apply_timer_->start();
}

void SettingsPanel::applyNow() {
    apply_timer_->stop();
    const AnalysisSettings s = currentSettings();
    try {
        (void)PositionSelection::parse(s.positions.toStdString());  // reject typos here, not in the job
        problem_->clear();
        session_->setSettings(s);
    } catch (const std::exception& e) {
        problem_->setText(QString::fromStdString(e.what()));
    }
}

void SettingsPanel::browseTaxonomy() {
    const QString path = QFileDialog::getOpenFileName(this, tr("Taxonomy JSON"), QString(),
                                                      tr("Taxonomy (*.json);;All files (*)"));
    if (path.isEmpty()) {
        showSettings(session_->settings());
        return;
    }
    try {
        (void)data::Taxonomy::load(path.toStdString());
    } catch (const std::exception& e) {
        problem_->setText(QString::fromStdString(e.what()));
        showSettings(session_->settings());
        return;
    }
    AnalysisSettings s = currentSettings();
    s.taxonomy = path;
    showSettings(s);
    applyNow();
}

}  // namespace ca::ui
