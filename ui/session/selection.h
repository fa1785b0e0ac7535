// The one selection every view shares (DESIGN.md: views linked by one selection):
// which open document, layer, domain, expert, sample and token the user is looking at.
// Views write it when the user clicks and redraw when it changes; nothing else links them.
#pragma once

#include <QObject>

#include <cstdint>

namespace ca::ui {

struct SelectionState {
    int document = -1;    // index into Session's documents; -1 = none open
    int layer = -1;       // MoE layer index 0..L-1 (not the HF layer label)
    int domain = -1;      // domain index of the document's analysis; -1 = all domains
    int expert = -1;      // routed expert id
    int64_t sample = -1;  // sample index in the trace
    int64_t token = -1;   // token row in the trace (absolute), -1 = none

    bool operator==(const SelectionState&) const = default;
};

class Selection : public QObject {
    Q_OBJECT
public:
    enum Field { Document = 1, Layer = 2, Domain = 4, Expert = 8, Sample = 16, Token = 32 };
    Q_DECLARE_FLAGS(Fields, Field)

    explicit Selection(QObject* parent = nullptr) : QObject(parent) {}

    const SelectionState& state() const { return state_; }

    // Each setter emits changed() once, and only when something changed.
    void setDocument(int document);
    void setLayer(int layer);
    void setDomain(int domain);
    void setExpert(int expert);
    void setCell(int layer, int expert);  // a heatmap click: layer and expert together
    void setSample(int64_t sample, int64_t token = -1);
    void setToken(int64_t token);
    void set(const SelectionState& state);  // everything at once
    void reset();                           // back to nothing selected

signals:
    void changed(const ca::ui::SelectionState& state, ca::ui::Selection::Fields what);

private:
    void apply(const SelectionState& next);
    SelectionState state_;
};

}  // namespace ca::ui

Q_DECLARE_OPERATORS_FOR_FLAGS(ca::ui::Selection::Fields)
