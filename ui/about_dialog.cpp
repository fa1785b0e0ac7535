#include "ui/about_dialog.h"

#include <hdf5.h>
#include <qcustomplot.h>

#include <QApplication>
#include <QDialog>
#include <QDialogButtonBox>
#include <QPushButton>
#include <QTextBrowser>
#include <QVBoxLayout>
#include <QtGlobal>

namespace ca::ui {

namespace {

QString hdf5Version() {
    unsigned major = 0, minor = 0, release = 0;
    if (H5get_libversion(&major, &minor, &release) < 0) return QStringLiteral("unknown");
    return QStringLiteral("%1.%2.%3").arg(major).arg(minor).arg(release);
}

QString row(const QString& what, const QString& version, const QString& licence) {
    return QStringLiteral("<tr><td>%1</td><td>%2</td><td>%3</td></tr>").arg(what, version, licence);
}

}  // namespace

QString aboutHtml(const QString& torch_version) {
    QString html;
    html += QStringLiteral("<h2>CommitteeAudit %1</h2>").arg(QStringLiteral(CA_VERSION));
    html += QStringLiteral(
        "<p>Audits expert routing in Mixture-of-Experts language models: the Standing Committee, "
        "expert contribution, Jaccard overlap, Gini concentration, and the tokens each expert "
        "handles.</p>"
        "<p><a href=\"https://github.com/committee-audit/committee-audit\">"
        "github.com/committee-audit/committee-audit</a></p>"
        "<p>Licence: <b>GPL-3.0-or-later</b>. This program comes with ABSOLUTELY NO WARRANTY; it "
        "is free software, and you may redistribute it under the terms of the GNU General "
        "Public License, version 3 or (at your option) any later version.</p>");

    html += QStringLiteral("<h3>Built with</h3><table cellspacing=\"4\">");
    html += row(QStringLiteral("Qt"), QString::fromLatin1(qVersion()),
                QStringLiteral("LGPL-3.0-only or GPL-2.0/3.0"));
    html += row(QStringLiteral("QCustomPlot"), QStringLiteral(QCUSTOMPLOT_VERSION_STR), QStringLiteral("GPL-3.0"));
    html += row(QStringLiteral("HDF5"), hdf5Version(), QStringLiteral("BSD-3-Clause (HDF5 licence)"));
    if (!torch_version.isEmpty())
        html += row(QStringLiteral("libtorch"), torch_version.toHtmlEscaped(), QStringLiteral("BSD-3-Clause"));
    html += row(QStringLiteral("nlohmann/json, CLI11, PCRE2, zlib, ICU"), QString(),
                QStringLiteral("MIT, BSD-3-Clause, BSD-3-Clause, BSD-3-Clause, Unicode licence"));
    html += QStringLiteral("</table>");

    html += QStringLiteral(
        "<h3>Data embedded in the program</h3><ul>"
        "<li>MMLU dev split (Hendrycks et al., <i>Measuring Massive Multitask Language "
        "Understanding</i>): MIT licence</li>"
        "<li>OLMoE-1B-7B-0924 tokenizer (Allen Institute for AI): Apache-2.0</li>"
        "<li>Chat templates: Qwen3 (Apache-2.0), OLMoE Tulu (AllenAI open-instruct, Apache-2.0), "
        "DeepSeek-V2 (DeepSeek model licence)</li>"
        "</ul>"
        "<p>The licence texts are installed in <tt>share/doc/committee-audit/</tt>.</p>");
    return html;
}

QDialog* createAboutDialog(QWidget* parent, const QString& torch_version) {
    auto* dialog = new QDialog(parent);
    dialog->setObjectName("AboutDialog");
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(QObject::tr("About CommitteeAudit"));
    auto* layout = new QVBoxLayout(dialog);

    auto* text = new QTextBrowser;
    text->setObjectName("aboutText");
    text->setOpenExternalLinks(true);
    text->setHtml(aboutHtml(torch_version));
    text->setMinimumSize(560, 520);
    layout->addWidget(text);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    QObject::connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
    layout->addWidget(buttons);

    auto* about_qt = buttons->addButton(QObject::tr("About &Qt"), QDialogButtonBox::HelpRole);
    QObject::connect(about_qt, &QPushButton::clicked, dialog, [] { QApplication::aboutQt(); });
    if (!QApplication::windowIcon().isNull()) dialog->setWindowIcon(QApplication::windowIcon());
    return dialog;
}

void showAboutDialog(QWidget* parent, const QString& torch_version) {
    createAboutDialog(parent, torch_version)->open();
}

}  // namespace ca::ui
