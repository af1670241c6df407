/**
 * The diagram check (test/support/diagram.ts) that every model in processes/ passes (see
 * shipped-models.unit.test.ts): on a badly drawn fixture, it names every kind of problem.
 */
import path from 'node:path';
import { diagramProblems, readDiagram } from '../../support/diagram';

describe('diagram interchange', () => {
  test('a badly drawn diagram shows every kind of problem', async () => {
    const d = await readDiagram(path.join(__dirname, 'diagram-fixtures', 'badly-drawn.bpmn'));
    expect(diagramProblems(d).sort()).toEqual(
      [
        'Task_undrawn is not drawn',
        'Flow_undrawn is not drawn',
        'Task_a overlaps Task_b',
        'Task_inner is outside Sub_1',
        'Task_far is outside lane Lane_1',
        'label of End_1 covers Task_far',
        'label of Start_1 covers label of Flow_ab',
        'Flow_ab segment 1 is diagonal',
        'Flow_cross crosses Task_b',
        'Flow_cross does not end on Task_c',
      ].sort(),
    );
  });
});
