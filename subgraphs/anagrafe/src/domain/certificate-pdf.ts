import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';
import type { CertificateLine } from '../entities/certificate.entity.js';

/** What is printed on a certificate. */
export interface PrintableCertificate {
  comuneName: string;
  titles: string[];
  holderName: string;
  lines: CertificateLine[];
  use: string;
  stampDutyText: string;
  issuedAt: Date;
  /** `dd/mm/yyyy` in the comune's calendar. */
  issuedOn: string;
  /** `dd/mm/yyyy`, or null for no limit. */
  validUntil: string | null;
  verificationCode: string;
  verificationUrl: string;
}

/** `2026-03-01` as `01/03/2026`. */
export function italianDate(isoDate: string): string {
  const [year, month, day] = isoDate.split('-');
  return `${day}/${month}/${year}`;
}

/**
 * Renders a certificate as a PDF: heading of the comune, the certified facts, use and stamp duty,
 * validity, and a QR code that opens the verification page with the certificate's code. The
 * document's dates are the issue time, so the same certificate always renders the same way.
 */
export async function renderCertificatePdf(certificate: PrintableCertificate): Promise<Buffer> {
  const qr = await QRCode.toBuffer(certificate.verificationUrl, {
    errorCorrectionLevel: 'M',
    margin: 1,
    width: 160,
  });
  const document = new PDFDocument({
    size: 'A4',
    margin: 56,
    info: {
      Title: certificate.titles.join(' - '),
      Author: `Comune di ${certificate.comuneName}`,
      Subject: `Certificato ${certificate.verificationCode}`,
      CreationDate: certificate.issuedAt,
      ModDate: certificate.issuedAt,
    },
  });
  const chunks: Buffer[] = [];
  document.on('data', (chunk: Buffer) => chunks.push(chunk));
  const finished = new Promise<Buffer>((resolve, reject) => {
    document.on('end', () => resolve(Buffer.concat(chunks)));
    document.on('error', reject);
  });

  document
    .font('Helvetica-Bold')
    .fontSize(16)
    .text(`COMUNE DI ${certificate.comuneName.toUpperCase()}`, { align: 'center' });
  document
    .font('Helvetica')
    .fontSize(10)
    .text('Ufficio anagrafe e stato civile', { align: 'center' })
    .moveDown(1.5);
  for (const title of certificate.titles) {
    document.font('Helvetica-Bold').fontSize(13).text(title.toUpperCase(), { align: 'center' });
  }
  if (certificate.titles.length > 1) {
    document.font('Helvetica-Oblique').fontSize(9).text('(certificato contestuale)', { align: 'center' });
  }
  document
    .moveDown(1.5)
    .font('Helvetica')
    .fontSize(11)
    .text("L'ufficiale d'anagrafe, visti gli atti d'ufficio, certifica che");
  document.moveDown(0.5).font('Helvetica-Bold').fontSize(12).text(certificate.holderName);
  document.moveDown(0.5).font('Helvetica').fontSize(11);
  for (const line of certificate.lines) {
    document
      .font('Helvetica-Bold')
      .text(`${line.label}: `, { continued: true })
      .font('Helvetica')
      .text(line.value);
  }
  document.moveDown(1).fontSize(10);
  document.text(`Uso: ${certificate.use}`);
  document.text(certificate.stampDutyText);
  document.text(
    'Il presente certificato non può essere prodotto agli organi della pubblica amministrazione o ai privati gestori di pubblici servizi (art. 40 D.P.R. 445/2000).',
  );
  document.moveDown(0.5);
  document.text(
    `Rilasciato il ${certificate.issuedOn}. ` +
      (certificate.validUntil === null
        ? 'Validità illimitata.'
        : `Valido fino al ${certificate.validUntil}.`),
  );
  document.moveDown(1);
  const top = document.y;
  document.image(qr, 56, top, { width: 110 });
  document
    .fontSize(9)
    .text(`Codice di verifica: ${certificate.verificationCode}`, 180, top + 20)
    .text(`Verifica l'autenticità su ${certificate.verificationUrl}`, 180, top + 36, { width: 360 });
  document.end();
  return finished;
}
