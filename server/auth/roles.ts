/** Staff roles; every user is bound to one unit. Labels are in server/glossary.ts. */
export const ROLES = [
  'administrator', // quản trị hệ thống
  'oneStopOfficer', // cán bộ Bộ phận Một cửa
  'lltpOfficer', // chuyên viên LLTP
  'headOfDivision', // trưởng phòng
  'leader', // lãnh đạo cơ quan cấp Phiếu
  'inspector', // thanh tra
  'supervisor', // giám sát
  'processDesigner', // thiết kế quy trình (process designer: models, what-if, submitting versions)
] as const;
export type Role = (typeof ROLES)[number];

export const roleLabels: Record<Role, string> = {
  administrator: 'Quản trị hệ thống',
  oneStopOfficer: 'Cán bộ Bộ phận Một cửa',
  lltpOfficer: 'Chuyên viên lý lịch tư pháp',
  headOfDivision: 'Trưởng phòng',
  leader: 'Lãnh đạo cơ quan',
  inspector: 'Thanh tra',
  supervisor: 'Giám sát',
  processDesigner: 'Thiết kế quy trình',
};
