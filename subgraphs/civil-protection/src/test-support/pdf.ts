export { scannedPdf as pdfOfSize } from '@sportello/test-support';
