// The Documents dock: every open trace or table with what it holds (model, layers x
// experts, k, samples) and its analysis state; selecting one makes it the current
// document of the shared selection.
#pragma once

#include <QWidget>

class QListWidget;

namespace ca::ui {

class Session;

class DocumentsPanel : public QWidget {
    Q_OBJECT
public:
    explicit DocumentsPanel(Session* session, QWidget* parent = nullptr);
    QListWidget* list() const { return list_; }

private:
    void rebuild();
    Session* session_;
    QListWidget* list_;
};

// One line about a document: "OLMoE-1B-7B · 16 layers × 64 experts, k 8 · 1,531 samples".
struct Document;
QString describeDocument(const Document& doc);

}  // namespace ca::ui
