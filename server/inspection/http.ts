/**
 * For the routers whose bad input is an `InspectionInputError` (inspection, reports, dashboard):
 * a handler wrapper that answers it 400 with the message and the parameter; anything else goes
 * to the app's error handler.
 */
import type { Request, Response } from 'express';
import { InspectionInputError } from './filters';

export type Handler = (req: Request, res: Response) => Promise<void>;

export const answering =
  (handler: Handler): Handler =>
  async (req, res) => {
    try {
      await handler(req, res);
    } catch (error) {
      if (error instanceof InspectionInputError) res.status(400).json({ error: error.message, parameter: error.parameter });
      else throw error;
    }
  };
