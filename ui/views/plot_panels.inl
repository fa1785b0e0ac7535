// Template definitions of plot_support.h (resizePanels), kept apart so the header stays a list.
#pragma once

#include <QBoxLayout>
#include <QStackedWidget>

namespace ca::ui {

template <typename Panel, typename Click, typename Tip>
void resizePanels(std::vector<std::unique_ptr<Panel>>& panels, size_t count, QWidget* owner,
                  QBoxLayout* row, Click click, Tip tip) {
    count = std::max<size_t>(1, count);
    while (panels.size() > count) panels.pop_back();
    while (panels.size() < count) {
        auto panel = std::make_unique<Panel>();
        const PlotOrMessage parts = makePlotOrMessage(owner);
        panel->stack = parts.stack;
        panel->plot = parts.plot;
        panel->message = parts.message;
        row->addWidget(panel->stack, 1);
        const int index = static_cast<int>(panels.size());
        onPlotClick(panel->plot, owner, [click, index](QPoint pixel) { click(index, pixel); });
        onPlotHover(panel->plot, owner, [tip, index](QPoint pixel) { return tip(index, pixel); });
        panels.push_back(std::move(panel));
    }
}

}  // namespace ca::ui
