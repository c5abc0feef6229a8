// Seeds for fuzz_pdf_loader: a minimal one-page PDF with a line of text
// (written out here, object by object, with a correct xref) and the same file
// with its xref table damaged (PDFium rebuilds it).
#include <string>
#include <vector>

#include "fuzz_seeds.h"

namespace cachet::fuzz {
namespace {

std::string minimalPdf() {
    const std::string content = "BT /F1 12 Tf 20 50 Td (Cachet invoice) Tj ET";
    const std::vector<std::string> objects{
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> >> >>",
        "<< /Length " + std::to_string(content.size()) + " >>\nstream\n" + content + "\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    };
    std::string pdf = "%PDF-1.4\n";
    std::vector<size_t> offsets;
    for (size_t i = 0; i < objects.size(); ++i) {
        offsets.push_back(pdf.size());
        pdf += std::to_string(i + 1) + " 0 obj\n" + objects[i] + "\nendobj\n";
    }
    const size_t xref = pdf.size();
    pdf += "xref\n0 " + std::to_string(objects.size() + 1) + "\n0000000000 65535 f \n";
    for (size_t offset : offsets) {
        std::string number = std::to_string(offset);
        pdf += std::string(10 - number.size(), '0') + number + " 00000 n \n";
    }
    pdf += "trailer\n<< /Size " + std::to_string(objects.size() + 1) + " /Root 1 0 R >>\nstartxref\n" +
           std::to_string(xref) + "\n%%EOF\n";
    return pdf;
}

}  // namespace

void pdfSeeds(SeedWriter& seeds) {
    const std::string pdf = minimalPdf();
    seeds.add("fuzz_pdf_loader", "minimal.pdf", pdf);
    std::string damaged = pdf;
    damaged.replace(damaged.find("xref\n0"), 4, "xfer");
    seeds.add("fuzz_pdf_loader", "damaged-xref.pdf", damaged);
}

}  // namespace cachet::fuzz
