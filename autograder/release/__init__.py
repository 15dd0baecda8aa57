"""What a course hands out: the student release, Gradescope's autograder zip and the Otter-Grader assignment."""
