/**
 * Every migration, in order. A new migration is a new file `NNNN-what-it-does.ts` here with an
 * `up` (forward only: a released migration is never edited) and one line below; a unit test
 * checks that the files and this list agree.
 */
import type { Migration } from 'kysely/migration';
import * as readModel from './0001-read-model';
import * as inspection from './0002-inspection';
import * as alertsWorthReading from './0003-alerts-worth-reading';
import * as dashboard from './0004-dashboard';
import * as loginThrottle from './0005-login-throttle';
import * as taskCompletion from './0006-task-completion';
import * as apologyPrompt from './0007-apology-prompt';
import * as weeklyContentDigest from './0008-weekly-content-digest';
import * as deadlineHistory from './0009-deadline-history';
import * as loginAttempts from './0010-login-attempts';
import * as boundCallbacks from './0011-bound-callbacks';
import * as retentionAndMailTemplates from './0012-retention-and-mail-templates';
import * as index766 from './0013-index-766';
import * as historyByMonth from './0014-history-by-month';
import * as scoreSnapshots from './0015-score-snapshots';
import * as monthlyReport from './0016-monthly-report';
import * as handovers from './0017-handovers';
import * as portalFeedAndRating from './0018-portal-feed-and-rating';
import * as processDesigners from './0019-process-designers';
import * as dossiersByVersion from './0020-dossiers-by-version';
import * as processSubmissions from './0021-process-submissions';
import * as receiptCheckedWithItsStatement from './0022-receipt-checked-with-its-statement';

export const migrations: Readonly<Record<string, Migration>> = {
  '0001-read-model': readModel,
  '0002-inspection': inspection,
  '0003-alerts-worth-reading': alertsWorthReading,
  '0004-dashboard': dashboard,
  '0005-login-throttle': loginThrottle,
  '0006-task-completion': taskCompletion,
  '0007-apology-prompt': apologyPrompt,
  '0008-weekly-content-digest': weeklyContentDigest,
  '0009-deadline-history': deadlineHistory,
  '0010-login-attempts': loginAttempts,
  '0011-bound-callbacks': boundCallbacks,
  '0012-retention-and-mail-templates': retentionAndMailTemplates,
  '0013-index-766': index766,
  '0014-history-by-month': historyByMonth,
  '0015-score-snapshots': scoreSnapshots,
  '0016-monthly-report': monthlyReport,
  '0017-handovers': handovers,
  '0018-portal-feed-and-rating': portalFeedAndRating,
  '0019-process-designers': processDesigners,
  '0020-dossiers-by-version': dossiersByVersion,
  '0021-process-submissions': processSubmissions,
  '0022-receipt-checked-with-its-statement': receiptCheckedWithItsStatement,
};
