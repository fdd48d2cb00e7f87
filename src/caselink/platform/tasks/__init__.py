"""Work queues: tasks with owners, due dates in working days, my work, team and unit queues."""
