#include "ui/session/selection.h"

namespace ca::ui {

void Selection::apply(const SelectionState& next) {
    Fields what;
    if (next.document != state_.document) what |= Document;
    if (next.layer != state_.layer) what |= Layer;
    if (next.domain != state_.domain) what |= Domain;
    if (next.expert != state_.expert) what |= Expert;
    if (next.sample != state_.sample) what |= Sample;
    if (next.token != state_.token) what |= Token;
    if (!what) return;
    state_ = next;
    emit changed(state_, what);
}

void Selection::setDocument(int document) {
    SelectionState s = state_;
    s.document = document;
    apply(s);
}

void Selection::setLayer(int layer) {
    SelectionState s = state_;
    s.layer = layer;
    apply(s);
}

void Selection::setDomain(int domain) {
    SelectionState s = state_;
    s.domain = domain;
    apply(s);
}

void Selection::setExpert(int expert) {
    SelectionState s = state_;
    s.expert = expert;
    apply(s);
}

void Selection::setCell(int layer, int expert) {
    SelectionState s = state_;
    s.layer = layer;
    s.expert = expert;
    apply(s);
}

void Selection::setSample(int64_t sample, int64_t token) {
    SelectionState s = state_;
    s.sample = sample;
    s.token = token;
    apply(s);
}

void Selection::setToken(int64_t token) {
    SelectionState s = state_;
    s.token = token;
    apply(s);
}

void Selection::set(const SelectionState& state) { apply(state); }

void Selection::reset() { apply(SelectionState{}); }

}  // namespace ca::ui
