/**
 * Plain Vietnamese pages for staff: log-in, the task inbox, dossier search (/ho-so) and a
 * dossier's timeline (/ho-so/<code>), the working calendar (/lich-lam-viec), the inspection list
 * (/thanh-tra), the weekly and monthly report archives (/thanh-tra/bao-cao-tuan, /thanh-tra/bao-cao-thang)
 * the 766 index (/chi-so), the process designers' versions page (/quy-trinh), the what-if of
 * a draft model (/quy-trinh/thu-nghiem) and the deployment of model versions with approval
 * (/quy-trinh/trien-khai). The
 * pages hold no data: their scripts call the JSON API with the session cookie, which does
 * every authentication and role check.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Router, type Response } from 'express';
import Handlebars from 'handlebars';
import { withNonce } from '../api/csp';
import { checkParam, IDS } from '../api/ids';

const TEMPLATES = path.resolve(__dirname, '../../templates/pages');

export function pageRoutes(): Router {
  const hbs = Handlebars.create();
  hbs.registerHelper('json', (value: unknown) => new Handlebars.SafeString(JSON.stringify(value).replace(/</g, '\\u003c')));
  const load = (name: string): Handlebars.TemplateDelegate => hbs.compile(readFileSync(path.join(TEMPLATES, `${name}.hbs`), 'utf8'));
  const layout = load('layout');
  const pages = {
    login: load('login'), inbox: load('inbox'), dossier: load('dossier'), inspection: load('inspection'), weekly: load('weekly'), monthly: load('monthly'),
    dashboard: load('dashboard'), calendar: load('calendar'), scores: load('scores'), processVersions: load('process-versions'), whatif: load('whatif'),
    processDeploy: load('process-deploy'),
  };
  /** The page in the layout; every script and style element carries the response's CSP nonce (server/api/app.ts). */
  const render = (page: keyof typeof pages, title: string, data: Record<string, unknown> = {}, nonce = ''): string =>
    withNonce(layout({ title, body: pages[page](data) }), nonce);

  const send = (res: Response, page: keyof typeof pages, title: string, data: Record<string, unknown> = {}): void => {
    res.type('html').send(render(page, title, data, String(res.locals.cspNonce ?? '')));
  };

  const router = Router();
  router.param('code', checkParam(IDS.dossierCode));
  router.get('/', (_req, res) => res.redirect('/hop-viec'));
  router.get('/dang-nhap', (_req, res) => send(res, 'login', 'Đăng nhập'));
  router.get('/hop-viec', (_req, res) => send(res, 'inbox', 'Hộp việc'));
  router.get('/giam-sat', (_req, res) => send(res, 'dashboard', 'Giám sát tiến độ giải quyết hồ sơ'));
  router.get('/chi-so', (_req, res) => send(res, 'scores', 'Chỉ số phục vụ người dân, doanh nghiệp (QĐ 766)'));
  router.get('/quy-trinh', (_req, res) => send(res, 'processVersions', 'Phiên bản quy trình'));
  router.get('/quy-trinh/thu-nghiem', (_req, res) => send(res, 'whatif', 'Thử nghiệm mô hình nháp'));
  router.get('/thanh-tra', (_req, res) => send(res, 'inspection', 'Thanh tra, kiểm tra hồ sơ'));
  router.get('/thanh-tra/bao-cao-tuan', (_req, res) => send(res, 'weekly', 'Báo cáo tuần Đề án 06'));
  router.get('/thanh-tra/bao-cao-thang', (_req, res) => send(res, 'monthly', 'Báo cáo tháng Đề án 06'));
  router.get('/ho-so', (_req, res) => send(res, 'dossier', 'Tra cứu hồ sơ', { code: null }));
  router.get('/quy-trinh/trien-khai', (_req, res) => send(res, 'processDeploy', 'Triển khai phiên bản quy trình (hai người)'));
  router.get('/lich-lam-viec', (_req, res) => send(res, 'calendar', 'Lịch làm việc'));
  router.get('/ho-so/:code', (req, res) => send(res, 'dossier', `Hồ sơ ${req.params.code}`, { code: req.params.code }));
  return router;
}
