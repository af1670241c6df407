'use strict';
// The worker thread that lays out one PDF (pdf.ts, renderInWorker): pdfmake's layout is one long
// synchronous call, so it runs here, off the API's event loop. TypeScript is loaded through tsx's
// CommonJS loader, as bin/lltp.js does. The bytes go back to the parent, then the thread ends.
require('tsx/cjs/api').register();
const { parentPort, workerData } = require('node:worker_threads');
const { renderPdf } = require('./pdf');

renderPdf(workerData).then(
  (bytes) => parentPort.postMessage(bytes),
  (error) => {
    throw error;
  },
);
