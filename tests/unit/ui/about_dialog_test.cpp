// The About box names the version, the licence, the libraries' versions and the data licences.
#include "ui/about_dialog.h"

#include <hdf5.h>

#include <QCoreApplication>
#include <QDialog>
#include <QEvent>
#include <QPointer>
#include <QTextBrowser>

#include <gtest/gtest.h>

namespace ca::ui {
namespace {

TEST(AboutDialog, NamesVersionLicenceLibrariesAndDataLicences) {
    QPointer<QDialog> dialog = createAboutDialog(nullptr, "1.13.1");
    ASSERT_TRUE(dialog);
    const QString text = dialog->findChild<QTextBrowser*>("aboutText")->toPlainText();
    EXPECT_TRUE(text.contains(QStringLiteral("CommitteeAudit " CA_VERSION)));
    EXPECT_TRUE(text.contains("GPL-3.0-or-later"));
    EXPECT_TRUE(text.contains(qVersion()));
    EXPECT_TRUE(text.contains("QCustomPlot"));
    // The HDF5 the program runs with, here from the headers it was built against.
    EXPECT_TRUE(text.contains(QStringLiteral("%1.%2.%3").arg(H5_VERS_MAJOR).arg(H5_VERS_MINOR).arg(H5_VERS_RELEASE)));
    EXPECT_TRUE(text.contains("1.13.1"));  // libtorch, passed in by the app
    EXPECT_TRUE(text.contains("MMLU"));
    EXPECT_TRUE(text.contains("MIT"));
    EXPECT_TRUE(text.contains("Apache-2.0"));
    dialog->close();  // WA_DeleteOnClose
    QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
    EXPECT_TRUE(dialog.isNull());
}

TEST(AboutDialog, LeavesOutLibtorchWhenItsVersionIsUnknown) {
    EXPECT_FALSE(aboutHtml().contains("libtorch"));
}

}  // namespace
}  // namespace ca::ui
