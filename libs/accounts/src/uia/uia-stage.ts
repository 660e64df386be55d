export const UIA_STAGES = {
  dummy: 'm.login.dummy',
  registrationToken: 'm.login.registration_token',
  password: 'm.login.password',
} as const;

export type UiaStage = (typeof UIA_STAGES)[keyof typeof UIA_STAGES];

/** A flow is a list of stages that together authenticate (spec "User-Interactive Authentication API"). */
export type UiaFlow = readonly UiaStage[];
