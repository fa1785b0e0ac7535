// The Settings dock: score variant, positions, presence ratio gamma, audit k, taxonomy,
// permutations. Edits are applied to the Session after a short pause (so typing a range
// or spinning a value does not start one analysis per keystroke); the Session cancels
// the stale work.
#pragma once

#include "ui/session/analysis_settings.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QSpinBox;
class QTimer;

namespace ca::ui {

class Session;

class SettingsPanel : public QWidget {
    Q_OBJECT
public:
    explicit SettingsPanel(Session* session, QWidget* parent = nullptr);

    // What the controls say now (positions text validated on apply).
    AnalysisSettings currentSettings() const;
    void showSettings(const AnalysisSettings& settings);  // no signal loops
    void applyNow();                                      // skip the pause (tests, Enter key)

private:
    void scheduleApply();
    void browseTaxonomy();

    Session* session_;
    QComboBox* score_;
    QComboBox* positions_;
    QDoubleSpinBox* presence_;
    QSpinBox* audit_k_;
    QComboBox* group_by_;
    QComboBox* taxonomy_;
    QSpinBox* permutations_;
    QSpinBox* seed_;
    QCheckBox* apply_to_all_;
    QLabel* applies_to_;
    QLabel* problem_;
    QTimer* apply_timer_;
    bool updating_ = false;
};

}  // namespace ca::ui
